"""DRF serializers and views of this app; they call the same services as the pages."""

urlpatterns: list = []
