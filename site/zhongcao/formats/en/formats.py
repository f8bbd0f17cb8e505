"""Django's date formats for en: the one format of products.dates."""

from products.dates import DJANGO_FORMATS

DATE_FORMAT = SHORT_DATE_FORMAT = DJANGO_FORMATS["en"]["date"]
DATETIME_FORMAT = SHORT_DATETIME_FORMAT = DJANGO_FORMATS["en"]["datetime"]
