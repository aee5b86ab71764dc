"""GOV.UK-rendered forms of this app."""
