"""`{% cachedpart parts "name" %}…{% endcachedpart %}`: a part of a page served from the cache
while the versions it was built from stand (institute.fragments). Without `parts` in the
context (a partial rendered on its own, say) the part is simply rendered."""

from django import template

register = template.Library()


class CachedPartNode(template.Node):
    def __init__(self, nodelist, parts, name):
        self.nodelist, self.parts, self.name = nodelist, parts, name

    def render(self, context):
        parts = self.parts.resolve(context, ignore_failures=True)
        if parts is None:
            return self.nodelist.render(context)
        name = self.name.resolve(context)
        html = parts.get(name)
        if html is None:
            html = self.nodelist.render(context)
            parts.put(name, html)
        return html


@register.tag
def cachedpart(parser, token):
    bits = token.split_contents()
    if len(bits) != 3:
        raise template.TemplateSyntaxError(f"{bits[0]} takes the parts and a part's name")
    nodelist = parser.parse(("endcachedpart",))
    parser.delete_first_token()
    return CachedPartNode(nodelist, parser.compile_filter(bits[1]), parser.compile_filter(bits[2]))
