"""A view that does nothing, for benchmarks: the cost of Django's request cycle and middleware
alone, against which `make bench` compares real pages. Routed only when BENCHMARK_VIEWS is on."""

from django.http import HttpResponse


def bare(request):
    return HttpResponse("ok", content_type="text/plain")
