"""Feeds shaped like merchants' real ones (Google Merchant Center format)."""

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:g="http://base.google.com/ns/1.0">
  <channel>
    <title>Mingyue Store</title>
    <link>https://www.shop.example</link>
    <description>Product feed</description>
    <item>
      <g:id>MY-1001</g:id>
      <title><![CDATA[明月 Ceramic Pour-Over Kettle & Dripper]]></title>
      <link>https://www.shop.example/p/1001?utm_source=feed</link>
      <description>A kettle.</description>
      <g:price>1299.00 CNY</g:price>
      <g:sale_price>999.00 CNY</g:sale_price>
      <g:sale_price_effective_date>2026-11-01T00:00+0800/2026-11-12T00:00+0800</g:sale_price_effective_date>
      <g:availability>in_stock</g:availability>
      <g:condition>new</g:condition>
      <g:image_link>https://img.shop.example/1001.jpg</g:image_link>
      <g:gtin>4006381333931</g:gtin>
      <g:mpn>KT-1001</g:mpn>
      <g:brand>Mingyue</g:brand>
      <g:shipping>
        <g:country>CN</g:country>
        <g:price>0.00 CNY</g:price>
      </g:shipping>
    </item>
    <item>
      <g:id>MY-1002</g:id>
      <g:title>Bamboo Tea Tray</g:title>
      <g:link>https://www.shop.example/p/1002</g:link>
      <g:price>89.90 CNY</g:price>
      <g:availability>out of stock</g:availability>
    </item>
    <item>
      <g:id>MY-1003</g:id>
      <g:title>Tea Canister</g:title>
      <g:link>https://www.shop.example/p/1003</g:link>
      <g:price>cheap</g:price>
      <g:availability>in_stock</g:availability>
    </item>
    <item>
      <g:title>No id at all</g:title>
      <g:price>10.00 CNY</g:price>
      <g:availability>in_stock</g:availability>
    </item>
    <item>
      <g:id>MY-1005</g:id>
      <g:title>Preordered Teapot</g:title>
      <g:link>https://www.shop.example/p/1005</g:link>
      <g:price>459 CNY</g:price>
      <g:availability>preorder</g:availability>
    </item>
  </channel>
</rss>
""".encode()

ATOM = b"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:g="http://base.google.com/ns/1.0">
  <title>Example Store</title>
  <link rel="self" href="https://www.shop.example"/>
  <updated>2026-12-01T08:00:00Z</updated>
  <entry>
    <g:id>AT-1</g:id>
    <title>Atom Kettle</title>
    <link rel="alternate" href="https://www.shop.example/atom/1"/>
    <g:price>199.00 CNY</g:price>
    <g:availability>backorder</g:availability>
    <g:gtin>0012345678905</g:gtin>
  </entry>
  <entry>
    <g:id>AT-2</g:id>
    <title>Atom Mug</title>
    <link href="https://www.shop.example/atom/2"/>
    <g:price>29.00 CNY</g:price>
    <g:availability>sold out</g:availability>
  </entry>
</feed>
"""

TSV = (
    "\ufeffg:id\tg:title\tg:link\tg:price\tsale price\tg:availability\tgtin\tmpn\n"
    "TS-1\tTab Kettle\thttps://www.shop.example/t/1\t120.00 CNY\t\tin stock\t\tTK-1\n"
    'TS-2\t"Quoted\ttitle"\thttps://www.shop.example/t/2\t80.00 CNY\t60.00 CNY\t'
    "in_stock\t\t\n"
    "TS-3\tShort line\t10.00 CNY\n"
    "\n"
    "TS-4\tBad GTIN\thttps://www.shop.example/t/4\t5.00 CNY\t\tin_stock\t1234567890123\t\n"
).encode()
