"""Django's date formats for zh-hans: the one format of products.dates."""

from products.dates import DJANGO_FORMATS

DATE_FORMAT = SHORT_DATE_FORMAT = DJANGO_FORMATS["zh-hans"]["date"]
DATETIME_FORMAT = SHORT_DATETIME_FORMAT = DJANGO_FORMATS["zh-hans"]["datetime"]
