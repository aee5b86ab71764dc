"""DRF serializers and views for the backlog; they call the same services as the pages."""

urlpatterns: list = []
