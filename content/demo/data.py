"""Demo data for a new Zhongcao site: merchants, catalog, creators, articles, curation.

Plain data only; content/demo/demo.py loads it. Amounts are strings (percent or price),
product references are PRODUCTS slugs, authors are CREATORS usernames.
"""

MERCHANTS = [
    {
        "slug": "mingyue-home",
        "name": "明月家居 Mingyue Home",
        "website": "https://www.mingyuehome.cn/",
        "allowed_domains": ["mingyuehome.cn"],
        "currency": "CNY",
        "default_commission_rate": "8.00",
        "attribution_window_days": 30,
        "hold_period_days": 30,
        "deep_link_template": "{url}?subid={click_id}",
        "sends_referrer": False,
    },
    {
        "slug": "qingcheng-select",
        "name": "青橙优选 Qingcheng Select",
        "website": "https://www.qingchengyouxuan.cn/",
        "allowed_domains": ["qingchengyouxuan.cn"],
        "currency": "CNY",
        "default_commission_rate": "6.00",
        "attribution_window_days": 15,
        "hold_period_days": 14,
        "deep_link_template": "{url}?subid={click_id}",
        "sends_referrer": False,
    },
    {
        "slug": "brightwell-supply",
        "name": "Brightwell Supply Co.",
        "website": "https://www.brightwellsupply.com/",
        "allowed_domains": ["brightwellsupply.com"],
        "currency": "USD",
        "default_commission_rate": "10.00",
        "attribution_window_days": 30,
        "hold_period_days": 45,
        "deep_link_template": "{url}?subid={click_id}",
        "sends_referrer": True,
    },
    {
        # An affiliate network: it sells for Kettle & Pour (coffee) and StrideLab
        # (running), and its deep link wraps the shop URL.
        "slug": "linkhub-network",
        "name": "LinkHub Network",
        "website": "https://www.linkhub-network.com/",
        "allowed_domains": [
            "linkhub-network.com",
            "kettleandpour.com",
            "stridelab.shop",
        ],
        "currency": "USD",
        "default_commission_rate": "15.00",
        "attribution_window_days": 7,
        "hold_period_days": 30,
        "deep_link_template": "https://go.linkhub-network.com/deeplink?u={url|urlencode}&sid={click_id}",
        "sends_referrer": False,
    },
]

PRODUCTS = [
    # Headphones and audio
    {
        "slug": "sonari-wh7",
        "title": "WH-7 降噪耳机",
        "brand": "Sonari",
        "description": "头戴式主动降噪耳机，混合降噪配 8 颗麦克风，40 mm 生物纤维振膜。开启降噪续航约 30 小时，充电 10 分钟可听 5 小时。支持 LDAC 与双设备连接，整机重 254 g。",
        "tags": ["耳机", "headphones", "降噪"],
        "gtin": "6953182401179",
        "sku": "SN-WH7-BLK",
        "color": "#2f4858",
        "offers": [
            {
                "merchant": "qingcheng-select",
                "url": "https://item.qingchengyouxuan.cn/p/100238817.html",
                "price": "1299.00",
                "currency": "CNY",
                "availability": "in_stock",
                "commission_rate": "9.00",
            },
            {
                "merchant": "mingyue-home",
                "url": "https://www.mingyuehome.cn/item/88231.html",
                "price": "1349.00",
                "currency": "CNY",
                "availability": "in_stock",
                "commission_rate": None,
            },
            {
                "merchant": "brightwell-supply",
                "url": "https://www.brightwellsupply.com/products/sonari-wh7-black",
                "price": "179.00",
                "currency": "USD",
                "availability": "in_stock",
                "commission_rate": None,
            },
        ],
    },
    {
        "slug": "sonari-eb3",
        "title": "EB-3 真无线降噪耳塞",
        "brand": "Sonari",
        "description": "入耳式真无线降噪耳机，单耳 4.8 g，IPX4 防水。降噪开启时耳机续航 7 小时，配合充电盒共 28 小时。支持无线充电和两台设备同时连接。",
        "tags": ["耳机", "earbuds", "真无线"],
        "gtin": "6953182401247",
        "sku": "SN-EB3-WHT",
        "color": "#d9d4cc",
        "offers": [
            {
                "merchant": "qingcheng-select",
                "url": "https://item.qingchengyouxuan.cn/p/100238820.html",
                "price": "699.00",
                "currency": "CNY",
                "availability": "in_stock",
                "commission_rate": None,
            },
            {
                "merchant": "brightwell-supply",
                "url": "https://www.brightwellsupply.com/products/sonari-eb3-white",
                "price": "99.00",
                "currency": "USD",
                "availability": "discontinued",
                "commission_rate": None,
            },
        ],
    },
    {
        "slug": "aurelle-studio-one",
        "title": "Studio One Open-Back Headphones",
        "brand": "Aurelle",
        "description": "Open-back over-ear headphones with 50 mm dynamic drivers and a 32-ohm impedance that a phone dongle can drive. Velour pads, a replaceable 3.5 mm cable and a spring-steel headband keep the weight at 285 g. Ships with a 6.35 mm adapter.",
        "tags": ["headphones", "hi-fi", "开放式"],
        "gtin": "",
        "sku": "AU-S1",
        "color": "#8e5572",
        "offers": [
            {
                "merchant": "brightwell-supply",
                "url": "https://www.brightwellsupply.com/products/aurelle-studio-one",
                "price": "249.00",
                "currency": "USD",
                "availability": "in_stock",
                "commission_rate": "12.00",
            },
            {
                "merchant": "qingcheng-select",
                "url": "https://item.qingchengyouxuan.cn/p/100251164.html",
                "price": "1799.00",
                "currency": "CNY",
                "availability": "out_of_stock",
                "commission_rate": None,
            },
        ],
    },
    {
        "slug": "kestrel-pod-mini",
        "title": "Pod Mini Bluetooth Speaker",
        "brand": "Kestrel",
        "description": "A palm-sized speaker with a 45 mm full-range driver and a passive radiator, rated IP67 and able to float. The battery lasts about 12 hours at moderate volume and charges over USB-C. Two units pair as a stereo set; 240 g.",
        "tags": ["speaker", "音箱", "outdoor"],
        "gtin": "",
        "sku": "KS-PODMINI-SAGE",
        "color": "#758e4f",
        "offers": [
            {
                "merchant": "brightwell-supply",
                "url": "https://www.brightwellsupply.com/products/kestrel-pod-mini-sage",
                "price": "59.00",
                "currency": "USD",
                "availability": "in_stock",
                "commission_rate": None,
            },
            {
                "merchant": "mingyue-home",
                "url": "https://www.mingyuehome.cn/item/90417.html",
                "price": "399.00",
                "currency": "CNY",
                "availability": "in_stock",
                "commission_rate": None,
            },
        ],
    },
    {
        "slug": "linyin-x2",
        "title": "X2 骨传导运动耳机",
        "brand": "Linyin",
        "description": "骨传导开放式耳机，不入耳，跑步时能听到环境声。钛合金后挂，整机 28 g，IP68 防水可游泳，内置 32 GB 存储。续航约 10 小时，磁吸充电。",
        "tags": ["耳机", "骨传导", "running"],
        "gtin": "",
        "sku": "LY-X2-GRY",
        "color": "#5b6770",
        "offers": [
            {
                "merchant": "qingcheng-select",
                "url": "https://item.qingchengyouxuan.cn/p/100263390.html",
                "price": "899.00",
                "currency": "CNY",
                "availability": "in_stock",
                "commission_rate": None,
            },
            {
                "merchant": "brightwell-supply",
                "url": "https://www.brightwellsupply.com/products/linyin-x2-bone-conduction",
                "price": "129.00",
                "currency": "USD",
                "availability": "out_of_stock",
                "commission_rate": None,
            },
        ],
    },
    # Coffee gear
    {
        "slug": "hollis-c38-grinder",
        "title": "C-38 Hand Coffee Grinder",
        "brand": "Hollis",
        "description": "Manual grinder with 38 mm stainless-steel conical burrs and a click adjustment of about 30 microns per step. Holds 35 g of beans and grinds a 20 g pour-over dose in about 40 seconds. Aluminium body, 590 g.",
        "tags": ["coffee", "手冲", "grinder"],
        "gtin": "",
        "sku": "HL-C38-GRAPHITE",
        "color": "#3d3b3c",
        "offers": [
            {
                "merchant": "linkhub-network",
                "url": "https://www.kettleandpour.com/products/hollis-c38-grinder",
                "price": "169.00",
                "currency": "USD",
                "availability": "in_stock",
                "commission_rate": "18.00",
            },
            {
                "merchant": "brightwell-supply",
                "url": "https://www.brightwellsupply.com/products/hollis-c38-graphite",
                "price": "175.00",
                "currency": "USD",
                "availability": "in_stock",
                "commission_rate": None,
            },
            {
                "merchant": "qingcheng-select",
                "url": "https://item.qingchengyouxuan.cn/p/100270052.html",
                "price": "1199.00",
                "currency": "CNY",
                "availability": "in_stock",
                "commission_rate": None,
            },
        ],
    },
    {
        "slug": "pourwell-gooseneck-kettle",
        "title": "Gooseneck Temperature Kettle 0.9 L",
        "brand": "Pourwell",
        "description": "0.9-litre electric gooseneck kettle with 1 °C temperature control from 40 to 100 °C and a 60-minute keep-warm. At 1200 W it heats 600 ml to 93 °C in about four minutes. The spout narrows to 7 mm for a steady, thin stream.",
        "tags": ["coffee", "手冲壶", "kettle"],
        "gtin": "",
        "sku": "PW-GK09-MBLK",
        "color": "#1f2a30",
        "offers": [
            {
                "merchant": "linkhub-network",
                "url": "https://www.kettleandpour.com/products/pourwell-gooseneck-kettle",
                "price": "89.00",
                "currency": "USD",
                "availability": "in_stock",
                "commission_rate": None,
            },
            {
                "merchant": "mingyue-home",
                "url": "https://www.mingyuehome.cn/item/91502.html",
                "price": "459.00",
                "currency": "CNY",
                "availability": "in_stock",
                "commission_rate": None,
            },
        ],
    },
    {
        "slug": "ferro-casa-uno",
        "title": "Casa Uno Espresso Machine",
        "brand": "Ferro",
        "description": "Single-boiler espresso machine with a 58 mm portafilter, PID temperature control and a separate thermoblock that is ready to steam in 15 seconds. Comes with pressurised and non-pressurised baskets. 1.8 L water tank.",
        "tags": ["espresso", "咖啡机", "coffee"],
        "gtin": "",
        "sku": "FR-UNO-SS",
        "color": "#a23b2a",
        "offers": [
            {
                "merchant": "linkhub-network",
                "url": "https://www.kettleandpour.com/products/ferro-casa-uno",
                "price": "449.00",
                "currency": "USD",
                "availability": "in_stock",
                "commission_rate": None,
            },
            {
                "merchant": "brightwell-supply",
                "url": "https://www.brightwellsupply.com/products/ferro-casa-uno-espresso",
                "price": "469.00",
                "currency": "USD",
                "availability": "out_of_stock",
                "commission_rate": None,
            },
            {
                "merchant": "mingyue-home",
                "url": "https://www.mingyuehome.cn/item/93310.html",
                "price": "3299.00",
                "currency": "CNY",
                "availability": "in_stock",
                "commission_rate": "5.00",
            },
        ],
    },
    {
        "slug": "pourwell-cone-dripper",
        "title": "Cone Dripper 02 Ceramic",
        "brand": "Pourwell",
        "description": "Size-02 ceramic cone dripper for one to four cups, with spiral ribs and a single 14 mm outlet, so grind size and pour speed control the flow. Fits standard 02 cone filters. Porcelain, 390 g, dishwasher safe.",
        "tags": ["coffee", "滤杯", "pour-over"],
        "gtin": "",
        "sku": "PW-CD02-WHT",
        "color": "#e8e1d5",
        "offers": [
            {
                "merchant": "linkhub-network",
                "url": "https://www.kettleandpour.com/products/pourwell-cone-dripper-02",
                "price": "24.00",
                "currency": "USD",
                "availability": "in_stock",
                "commission_rate": None,
            },
            {
                "merchant": "qingcheng-select",
                "url": "https://item.qingchengyouxuan.cn/p/100270113.html",
                "price": "139.00",
                "currency": "CNY",
                "availability": "in_stock",
                "commission_rate": None,
            },
        ],
    },
    {
        "slug": "muhe-coffee-scale",
        "title": "T1 手冲咖啡电子秤",
        "brand": "Muhe",
        "description": "0.1 g 精度，量程 2 kg，自带计时，注水后自动开始计时。硅胶隔热垫防烫，Type-C 充电一次约可用 30 天。机身厚 2 cm，可以放进大部分意式咖啡机的接水盘。",
        "tags": ["咖啡秤", "coffee", "手冲"],
        "gtin": "",
        "sku": "MH-T1",
        "color": "#6b4f3a",
        "offers": [
            {
                "merchant": "qingcheng-select",
                "url": "https://item.qingchengyouxuan.cn/p/100270198.html",
                "price": "199.00",
                "currency": "CNY",
                "availability": "in_stock",
                "commission_rate": None,
            },
            {
                "merchant": "linkhub-network",
                "url": "https://www.kettleandpour.com/products/muhe-t1-scale",
                "price": "39.00",
                "currency": "USD",
                "availability": "in_stock",
                "commission_rate": None,
            },
        ],
    },
    # Kitchen appliances
    {
        "slug": "micang-ih-rice-cooker",
        "title": "IH 电磁加热电饭煲 4L",
        "brand": "Micang",
        "description": "IH 全周加热，1250 W，1.2 mm 厚釜内胆带五层复合涂层。4 L 容量适合 3-6 人，精煮约 48 分钟，快煮 28 分钟。支持 24 小时预约，有杂粮饭、煲仔饭等 12 种程序。",
        "tags": ["电饭煲", "厨房", "rice cooker"],
        "gtin": "6947721055367",
        "sku": "MC-IH40",
        "color": "#c9b79c",
        "offers": [
            {
                "merchant": "mingyue-home",
                "url": "https://www.mingyuehome.cn/item/87002.html",
                "price": "699.00",
                "currency": "CNY",
                "availability": "in_stock",
                "commission_rate": "10.00",
            },
            {
                "merchant": "qingcheng-select",
                "url": "https://item.qingchengyouxuan.cn/p/100184425.html",
                "price": "669.00",
                "currency": "CNY",
                "availability": "in_stock",
                "commission_rate": None,
            },
        ],
    },
    {
        "slug": "micang-mini-rice-cooker",
        "title": "Mini 1.6L 微压电饭煲",
        "brand": "Micang",
        "description": "1.6 L 小容量，适合 1-2 人，一次最多煮 3 杯米。400 W 底盘加热配微压锁扣，快煮 25 分钟。内胆可进洗碗机，机身宽 19 cm。",
        "tags": ["电饭煲", "一人食", "small kitchen"],
        "gtin": "6947721055435",
        "sku": "MC-MINI16-WHT",
        "color": "#f2efe6",
        "offers": [
            {
                "merchant": "mingyue-home",
                "url": "https://www.mingyuehome.cn/item/87015.html",
                "price": "299.00",
                "currency": "CNY",
                "availability": "in_stock",
                "commission_rate": None,
            },
            {
                "merchant": "qingcheng-select",
                "url": "https://item.qingchengyouxuan.cn/p/100184431.html",
                "price": "279.00",
                "currency": "CNY",
                "availability": "out_of_stock",
                "commission_rate": None,
            },
        ],
    },
    {
        "slug": "crispa-af55",
        "title": "AF-55 Air Fryer 5.5 L",
        "brand": "Crispa",
        "description": "5.5-litre square-basket air fryer with a 1700 W heater and top fan that reaches 200 °C in under three minutes. The basket fits a 1.2 kg chicken, and a glass window lets you check browning without opening it. Basket and crisper plate are dishwasher safe.",
        "tags": ["air fryer", "空气炸锅", "kitchen"],
        "gtin": "6901355088726",
        "sku": "CR-AF55-BLK",
        "color": "#33658a",
        "offers": [
            {
                "merchant": "brightwell-supply",
                "url": "https://www.brightwellsupply.com/products/crispa-af55-air-fryer",
                "price": "99.00",
                "currency": "USD",
                "availability": "in_stock",
                "commission_rate": None,
            },
            {
                "merchant": "mingyue-home",
                "url": "https://www.mingyuehome.cn/item/88904.html",
                "price": "499.00",
                "currency": "CNY",
                "availability": "in_stock",
                "commission_rate": None,
            },
            {
                "merchant": "qingcheng-select",
                "url": "https://item.qingchengyouxuan.cn/p/100199342.html",
                "price": "459.00",
                "currency": "CNY",
                "availability": "in_stock",
                "commission_rate": "12.00",
            },
        ],
    },
    {
        "slug": "crispa-af30",
        "title": "AF-30 Compact Air Fryer 3 L",
        "brand": "Crispa",
        "description": "3-litre compact air fryer, 1300 W and 26 cm wide for small counters. Right for one or two people: it holds about 400 g of fries. Six presets and a 60-minute timer on a simple dial.",
        "tags": ["空气炸锅", "air fryer", "compact"],
        "gtin": "",
        "sku": "CR-AF30-WHT",
        "color": "#f6ae2d",
        "offers": [
            {
                "merchant": "mingyue-home",
                "url": "https://www.mingyuehome.cn/item/88910.html",
                "price": "269.00",
                "currency": "CNY",
                "availability": "in_stock",
                "commission_rate": None,
            },
            {
                "merchant": "brightwell-supply",
                "url": "https://www.brightwellsupply.com/products/crispa-af30-compact",
                "price": "69.00",
                "currency": "USD",
                "availability": "in_stock",
                "commission_rate": None,
            },
        ],
    },
    {
        "slug": "nuanchu-blender-b8",
        "title": "B8 静音破壁料理机",
        "brand": "Nuanchu",
        "description": "1.75 L 高硼硅玻璃杯，1200 W 电机，8 叶刀头。带隔音罩，打豆浆时一米外实测约 68 dB。支持加热，可做豆浆、米糊和热汤，可预约 12 小时。",
        "tags": ["破壁机", "厨房", "blender"],
        "gtin": "",
        "sku": "NC-B8",
        "color": "#86bbd8",
        "offers": [
            {
                "merchant": "mingyue-home",
                "url": "https://www.mingyuehome.cn/item/89127.html",
                "price": "899.00",
                "currency": "CNY",
                "availability": "in_stock",
                "commission_rate": None,
            },
            {
                "merchant": "qingcheng-select",
                "url": "https://item.qingchengyouxuan.cn/p/100201776.html",
                "price": "859.00",
                "currency": "CNY",
                "availability": "in_stock",
                "commission_rate": None,
            },
        ],
    },
    # Skincare
    {
        "slug": "cerelle-barrier-cream",
        "title": "Barrier Repair Cream 50 ml",
        "brand": "Cerelle",
        "description": "Fragrance-free moisturiser with a 3% ceramide complex, cholesterol and 5% panthenol in a 50 ml airless pump. The medium-rich texture sinks in within a minute. No essential oils or drying alcohol.",
        "tags": ["skincare", "护肤", "敏感肌"],
        "gtin": "",
        "sku": "CE-BRC-50",
        "color": "#e3c9b8",
        "offers": [
            {
                "merchant": "brightwell-supply",
                "url": "https://www.brightwellsupply.com/products/cerelle-barrier-repair-cream",
                "price": "32.00",
                "currency": "USD",
                "availability": "in_stock",
                "commission_rate": "20.00",
            },
            {
                "merchant": "qingcheng-select",
                "url": "https://beauty.qingchengyouxuan.cn/p/300045126.html",
                "price": "228.00",
                "currency": "CNY",
                "availability": "in_stock",
                "commission_rate": None,
            },
        ],
    },
    {
        "slug": "qingyan-niacinamide-serum",
        "title": "5% 烟酰胺精华 30ml",
        "brand": "Qingyan",
        "description": "5% 烟酰胺搭配 1% N-乙酰氨基葡萄糖，针对暗沉和痘印。水感质地，无香精、无酒精。30 ml 滴管瓶，早晚各 3 滴约可用两个月。",
        "tags": ["护肤", "精华", "niacinamide"],
        "gtin": "6958400623159",
        "sku": "QY-NIA5-30",
        "color": "#b8d0c8",
        "offers": [
            {
                "merchant": "qingcheng-select",
                "url": "https://beauty.qingchengyouxuan.cn/p/300047781.html",
                "price": "169.00",
                "currency": "CNY",
                "availability": "in_stock",
                "commission_rate": None,
            },
            {
                "merchant": "mingyue-home",
                "url": "https://www.mingyuehome.cn/item/95521.html",
                "price": "179.00",
                "currency": "CNY",
                "availability": "in_stock",
                "commission_rate": None,
            },
        ],
    },
    {
        "slug": "solenne-spf50-fluid",
        "title": "Daily UV Fluid SPF50 PA++++",
        "brand": "Solenne",
        "description": "Lightweight sunscreen fluid, SPF50 PA++++, with a dry-touch finish that sits well under makeup. Water-resistant for 40 minutes and leaves no white cast. 50 ml.",
        "tags": ["sunscreen", "防晒", "skincare"],
        "gtin": "",
        "sku": "SO-UVF50",
        "color": "#f4d35e",
        "offers": [
            {
                "merchant": "brightwell-supply",
                "url": "https://www.brightwellsupply.com/products/solenne-daily-uv-fluid",
                "price": "24.00",
                "currency": "USD",
                "availability": "in_stock",
                "commission_rate": None,
            },
            {
                "merchant": "qingcheng-select",
                "url": "https://beauty.qingchengyouxuan.cn/p/300049903.html",
                "price": "149.00",
                "currency": "CNY",
                "availability": "out_of_stock",
                "commission_rate": None,
            },
        ],
    },
    {
        "slug": "cerelle-gel-cleanser",
        "title": "Gentle Gel Cleanser 150 ml",
        "brand": "Cerelle",
        "description": "Low-foam gel cleanser at about pH 5.5 with mild amino-acid surfactants and glycerin. Removes everyday sunscreen without a tight feel; fragrance-free. 150 ml pump bottle.",
        "tags": ["cleanser", "洁面", "skincare"],
        "gtin": "",
        "sku": "CE-GGC-150",
        "color": "#cfe0e8",
        "offers": [
            {
                "merchant": "brightwell-supply",
                "url": "https://www.brightwellsupply.com/products/cerelle-gentle-gel-cleanser",
                "price": "18.00",
                "currency": "USD",
                "availability": "in_stock",
                "commission_rate": None,
            },
            {
                "merchant": "qingcheng-select",
                "url": "https://beauty.qingchengyouxuan.cn/p/300045139.html",
                "price": "118.00",
                "currency": "CNY",
                "availability": "in_stock",
                "commission_rate": None,
            },
        ],
    },
    # Running shoes
    {
        "slug": "velox-tempo-3",
        "title": "Tempo 3 Running Shoe",
        "brand": "Velox",
        "description": "Lightweight trainer for tempo runs and intervals: nitrogen-infused foam midsole, 8 mm drop and a 36/28 mm stack. A men's US 9 weighs 232 g. Engineered mesh upper with a gusseted tongue.",
        "tags": ["running", "跑鞋", "training"],
        "gtin": "0846127304511",
        "sku": "VX-T3-M-BLU",
        "color": "#0f7173",
        "offers": [
            {
                "merchant": "linkhub-network",
                "url": "https://stridelab.shop/p/velox-tempo-3-mens",
                "price": "140.00",
                "currency": "USD",
                "availability": "in_stock",
                "commission_rate": None,
            },
            {
                "merchant": "brightwell-supply",
                "url": "https://www.brightwellsupply.com/products/velox-tempo-3-blue",
                "price": "145.00",
                "currency": "USD",
                "availability": "in_stock",
                "commission_rate": None,
            },
            {
                "merchant": "qingcheng-select",
                "url": "https://sport.qingchengyouxuan.cn/p/500012087.html",
                "price": "999.00",
                "currency": "CNY",
                "availability": "in_stock",
                "commission_rate": None,
            },
        ],
    },
    {
        "slug": "velox-daily-9",
        "title": "Daily 9 Cushioned Trainer",
        "brand": "Velox",
        "description": "Everyday trainer with a wide base, a 10 mm drop and a soft EVA-blend midsole built for easy and long runs. 285 g in men's US 9. Also available in a wide fit.",
        "tags": ["running", "跑鞋", "daily trainer"],
        "gtin": "0846127304689",
        "sku": "VX-D9-M-GRY",
        "color": "#7d8491",
        "offers": [
            {
                "merchant": "linkhub-network",
                "url": "https://stridelab.shop/p/velox-daily-9-mens",
                "price": "120.00",
                "currency": "USD",
                "availability": "in_stock",
                "commission_rate": None,
            },
            {
                "merchant": "qingcheng-select",
                "url": "https://sport.qingchengyouxuan.cn/p/500012093.html",
                "price": "799.00",
                "currency": "CNY",
                "availability": "in_stock",
                "commission_rate": None,
            },
        ],
    },
    {
        "slug": "zhufeng-racer-carbon",
        "title": "Racer 碳板竞速跑鞋",
        "brand": "Zhufeng",
        "description": "全掌碳板搭配 PEBA 超临界发泡中底，后跟堆叠 39 mm，落差 8 mm。男款 42 码约 198 g。鞋面为单层网布，透气但支撑一般，适合比赛和节奏跑。",
        "tags": ["跑鞋", "碳板", "racing"],
        "gtin": "",
        "sku": "ZF-RC-42",
        "color": "#f26419",
        "offers": [
            {
                "merchant": "qingcheng-select",
                "url": "https://sport.qingchengyouxuan.cn/p/500013550.html",
                "price": "1199.00",
                "currency": "CNY",
                "availability": "in_stock",
                "commission_rate": None,
            },
            {
                "merchant": "linkhub-network",
                "url": "https://stridelab.shop/p/zhufeng-racer-carbon",
                "price": "189.00",
                "currency": "USD",
                "availability": "out_of_stock",
                "commission_rate": "16.00",
            },
        ],
    },
    {
        "slug": "trailmark-ridge-2",
        "title": "Ridge 2 Trail Shoe",
        "brand": "Trailmark",
        "description": "Trail running shoe with 4.5 mm lugs, a forefoot rock plate and a 6 mm drop. The sticky rubber compound grips wet rock; 310 g in men's US 9. Gaiter attachment points at heel and toe.",
        "tags": ["trail", "越野跑", "running"],
        "gtin": "",
        "sku": "TM-R2-M-OLV",
        "color": "#4a5d23",
        "offers": [
            {
                "merchant": "linkhub-network",
                "url": "https://stridelab.shop/p/trailmark-ridge-2-olive",
                "price": "135.00",
                "currency": "USD",
                "availability": "out_of_stock",
                "commission_rate": None,
            },
        ],
    },
    # Home
    {
        "slug": "jinglan-ap600",
        "title": "AP-600 空气净化器",
        "brand": "Jinglan",
        "description": "颗粒物 CADR 600 m³/h，甲醛 CADR 260 m³/h，适用面积约 42-72 m²。H13 HEPA 加活性炭复合滤芯，睡眠模式噪音 29 dB。可在 App 查看 PM2.5 读数和滤芯寿命。",
        "tags": ["空气净化器", "家居", "air purifier"],
        "gtin": "6972031188207",
        "sku": "JL-AP600",
        "color": "#dfe7ea",
        "offers": [
            {
                "merchant": "mingyue-home",
                "url": "https://www.mingyuehome.cn/item/76650.html",
                "price": "1999.00",
                "currency": "CNY",
                "availability": "in_stock",
                "commission_rate": "9.50",
            },
            {
                "merchant": "qingcheng-select",
                "url": "https://item.qingchengyouxuan.cn/p/100155208.html",
                "price": "2099.00",
                "currency": "CNY",
                "availability": "in_stock",
                "commission_rate": None,
            },
        ],
    },
    {
        "slug": "breezo-p3",
        "title": "P3 Compact Air Purifier",
        "brand": "Breezo",
        "description": "Bedroom-sized purifier with a CADR of 250 m³/h for rooms up to 20 m². An H13 filter with a carbon layer lasts six to eight months. 24 dB on the sleep setting.",
        "tags": ["air purifier", "空气净化器", "bedroom"],
        "gtin": "",
        "sku": "BZ-P3-WHT",
        "color": "#a8c5da",
        "offers": [
            {
                "merchant": "brightwell-supply",
                "url": "https://www.brightwellsupply.com/products/breezo-p3-white",
                "price": "149.00",
                "currency": "USD",
                "availability": "in_stock",
                "commission_rate": None,
            },
            {
                "merchant": "mingyue-home",
                "url": "https://www.mingyuehome.cn/item/76688.html",
                "price": "899.00",
                "currency": "CNY",
                "availability": "in_stock",
                "commission_rate": None,
            },
        ],
    },
    {
        "slug": "jietu-r9",
        "title": "R9 扫拖一体机器人",
        "brand": "Jietu",
        "description": "8000 Pa 吸力，双滚刷防缠毛，激光导航。基站可自动集尘、洗拖布并 55 °C 热风烘干，集尘袋约 60 天一换。越障高度 2 cm，机身高 9.7 cm。",
        "tags": ["扫地机器人", "家居", "robot vacuum"],
        "gtin": "6972031188375",
        "sku": "JT-R9",
        "color": "#393e41",
        "offers": [
            {
                "merchant": "mingyue-home",
                "url": "https://www.mingyuehome.cn/item/78231.html",
                "price": "3299.00",
                "currency": "CNY",
                "availability": "in_stock",
                "commission_rate": None,
            },
            {
                "merchant": "qingcheng-select",
                "url": "https://item.qingchengyouxuan.cn/p/100160474.html",
                "price": "3199.00",
                "currency": "CNY",
                "availability": "in_stock",
                "commission_rate": None,
            },
        ],
    },
    {
        "slug": "rovi-s5",
        "title": "S5 Robot Vacuum",
        "brand": "Rovi",
        "description": "Entry-level robot vacuum with gyroscope navigation and 2700 Pa suction. At 7.2 cm tall it gets under most sofas; 120-minute runtime and a 450 ml bin. No self-emptying dock.",
        "tags": ["robot vacuum", "扫地机", "budget"],
        "gtin": "",
        "sku": "RV-S5",
        "color": "#44bba4",
        "offers": [
            {
                "merchant": "brightwell-supply",
                "url": "https://www.brightwellsupply.com/products/rovi-s5-robot-vacuum",
                "price": "199.00",
                "currency": "USD",
                "availability": "in_stock",
                "commission_rate": None,
            },
            {
                "merchant": "mingyue-home",
                "url": "https://www.mingyuehome.cn/item/78019.html",
                "price": "1299.00",
                "currency": "CNY",
                "availability": "discontinued",
                "commission_rate": None,
            },
            {
                "merchant": "qingcheng-select",
                "url": "https://item.qingchengyouxuan.cn/p/100160512.html",
                "price": "1199.00",
                "currency": "CNY",
                "availability": "in_stock",
                "commission_rate": None,
            },
        ],
    },
    # Small electronics
    {
        "slug": "voltra-65w-gan",
        "title": "65W 氮化镓三口充电器",
        "brand": "Voltra",
        "description": "两个 USB-C 加一个 USB-A，单口最高 65 W，可给 13 英寸笔记本满速充电；两口同时使用时为 45 W + 20 W。体积 32 × 32 × 60 mm，折叠插脚，重 118 g。",
        "tags": ["充电器", "GaN", "数码"],
        "gtin": "0692871144022",
        "sku": "VT-G65-3P",
        "color": "#343a40",
        "offers": [
            {
                "merchant": "qingcheng-select",
                "url": "https://item.qingchengyouxuan.cn/p/100212640.html",
                "price": "159.00",
                "currency": "CNY",
                "availability": "in_stock",
                "commission_rate": None,
            },
            {
                "merchant": "brightwell-supply",
                "url": "https://www.brightwellsupply.com/products/voltra-65w-gan-charger",
                "price": "39.00",
                "currency": "USD",
                "availability": "in_stock",
                "commission_rate": None,
            },
        ],
    },
    {
        "slug": "voltra-pb20",
        "title": "PB20 20000mAh Power Bank",
        "brand": "Voltra",
        "description": "20,000 mAh (72 Wh) power bank with 45 W USB-C in and out; it recharges itself in about two and a half hours. Two USB-C ports and one USB-A, with a small display for the remaining percentage. 405 g and within airline carry-on limits.",
        "tags": ["power bank", "充电宝", "travel"],
        "gtin": "",
        "sku": "VT-PB20-BLK",
        "color": "#577590",
        "offers": [
            {
                "merchant": "brightwell-supply",
                "url": "https://www.brightwellsupply.com/products/voltra-pb20-power-bank",
                "price": "49.00",
                "currency": "USD",
                "availability": "in_stock",
                "commission_rate": None,
            },
            {
                "merchant": "qingcheng-select",
                "url": "https://item.qingchengyouxuan.cn/p/100212655.html",
                "price": "229.00",
                "currency": "CNY",
                "availability": "in_stock",
                "commission_rate": None,
            },
        ],
    },
    {
        "slug": "inkleaf-7",
        "title": "Inkleaf 7 E-Reader",
        "brand": "Inkleaf",
        "description": "7-inch 300 ppi E Ink reader with a warm front light, IPX8 waterproofing and 32 GB of storage. Physical page-turn buttons and about five weeks of battery at 30 minutes a day; 185 g. Opens EPUB, PDF and MOBI files without conversion.",
        "tags": ["e-reader", "阅读器", "reading"],
        "gtin": "",
        "sku": "IL-7-32",
        "color": "#4d908e",
        "offers": [
            {
                "merchant": "brightwell-supply",
                "url": "https://www.brightwellsupply.com/products/inkleaf-7-ereader",
                "price": "189.00",
                "currency": "USD",
                "availability": "in_stock",
                "commission_rate": None,
            },
            {
                "merchant": "qingcheng-select",
                "url": "https://item.qingchengyouxuan.cn/p/100230871.html",
                "price": "1399.00",
                "currency": "CNY",
                "availability": "out_of_stock",
                "commission_rate": None,
            },
        ],
    },
]

CREATORS = [
    {
        "username": "kol1",
        "language": "zh-hans",
        "public_name": "林小鹿 Lulu Lin",
        "slug": "lulu-lin",
        "kind": "kol",
        "bio": "前家电杂志编辑，现居杭州。只写自己用满一个月的东西，最常写厨房小家电和敏感肌护肤。",
        "referred_by": None,
    },
    {
        "username": "kol2",
        "language": "en",
        "public_name": "Theo Marsh",
        "slug": "theo-marsh",
        "kind": "kol",
        "bio": "Former barista and hi-fi shop salesman from Portland. Writes long-term reviews of coffee gear and headphones, with measurements where they help.",
        "referred_by": None,
    },
    {
        "username": "member1",
        "language": "zh-hans",
        "public_name": "陈一帆 Chen Yifan",
        "slug": "chen-yifan",
        "kind": "member",
        "bio": "在上海租房的程序员，养了两只长毛猫。关心清洁家电到底能省多少时间，也在练半马。",
        "referred_by": "kol1",
    },
    {
        "username": "member2",
        "language": "en",
        "public_name": "Priya Nair",
        "slug": "priya-nair",
        "kind": "member",
        "bio": "Physio student and weekend half-marathoner in Singapore. I test every shoe on the same 12 km loop so my notes stay comparable.",
        "referred_by": "member1",
    },
]

ARTICLES = [
    # 1. Review, Chinese, kol1
    {
        "type": "review",
        "status": "published",
        "slug": "sonari-wh7-review",
        "title": "Sonari WH-7 评测：1300 元价位的通勤降噪甜点",
        "author": "kol1",
        "summary": "地铁、高铁和开放办公室里用了五周，WH-7 的降噪和续航都足够好，佩戴偏紧是主要短板。",
        "tags": ["耳机", "评测", "降噪"],
        "published_days_ago": 20,
        "product": "sonari-wh7",
        "rating": "8.6",
        "verdict": "降噪和续航接近两千元档旗舰，适合每天通勤一小时以上的人；头围较大的读者建议先试戴。",
        "pros": [
            "中低频降噪扎实，地铁轰鸣明显压低",
            "实测降噪续航约 31 小时",
            "双设备切换稳定，手机和电脑来回不断连",
        ],
        "cons": ["夹头力偏大，连续戴两小时后耳朵发热", "大风中通话降噪一般"],
        "body": [
            (
                "rich_text",
                "<p>我每天通勤是杭州地铁 2 号线转 5 号线，单程约 50 分钟，车厢噪声用手机分贝计测大约 75-80 dB。过去两年我一直戴一副老款入耳式降噪耳机，这次换成 <strong>Sonari WH-7</strong>，连续用了五周：地铁、两趟杭州到上海的高铁，外加办公室里的开放工位。</p><p>这篇评测不复述参数表，只回答三个问题：降噪到底能挡住多少噪声、戴久了舒不舒服、1299 元值不值。</p>",
            ),
            ("heading", {"text": "降噪与音质", "level": "h2"}),
            (
                "rich_text",
                "<p>WH-7 的强项在中低频。地铁进站时的轰鸣、高铁车厢里持续的风噪，开启降噪后基本被压成很远的背景声，我可以把音量从 60% 调到 40% 左右。人声和键盘声这类中高频衰减得少一些，开放办公室里同事说话依然听得见，但不会打断思路。</p><p>调音偏暖，低频量感足但不糊，默认 EQ 下人声略靠后。在 App 里把 2 kHz 附近提高 2 dB 之后，听播客和流行乐都更清楚。用 LDAC 连接安卓手机时细节更多，但续航会少约两成。</p>",
            ),
            (
                "quote",
                {
                    "quote": "在高铁上戴了四个小时，下车时才发现自己一直没听见广播以外的声音。",
                    "attribution": "林小鹿，沪杭高铁实测笔记",
                },
            ),
            ("heading", {"text": "佩戴与续航", "level": "h2"}),
            (
                "rich_text",
                "<p>254 g 的重量不算轻，头梁压力也偏大。我的头围 57 cm，连续戴两小时后耳廓会发热，需要摘下来休息几分钟；头围更大的朋友试戴后觉得夹得更明显。好在耳罩用的是慢回弹海绵，戴眼镜时漏音不严重。</p><p>续航是惊喜：开降噪、音量 40%，从满电用到自动关机一共 31 小时，相当于我一周的通勤加两次出差。快充 10 分钟大约能听 5 小时，早上出门前插一下就够用一天。</p>",
            ),
            (
                "product_card",
                {
                    "product": "sonari-wh7",
                    "call_to_action": "查看价格",
                    "note": "黑色和雾蓝两色同价，雾蓝耳罩更耐脏。",
                },
            ),
            (
                "comparison_table",
                {
                    "caption": "WH-7 与同品牌真无线 EB-3 怎么选",
                    "products": ["sonari-wh7", "sonari-eb3"],
                    "rows": [
                        {"label": "类型", "values": ["头戴式", "入耳式真无线"]},
                        {
                            "label": "降噪续航",
                            "values": ["30 小时", "7 小时（含充电盒 28 小时）"],
                        },
                        {"label": "重量", "values": ["254 g", "单耳 4.8 g"]},
                    ],
                },
            ),
        ],
    },
    # 2. Guide, Chinese, kol1
    {
        "type": "guide",
        "status": "published",
        "slug": "kitchen-appliances-starter-guide",
        "title": "新家厨房小家电怎么配：电饭煲、空气炸锅、破壁机实测推荐",
        "author": "kol1",
        "summary": "按三口之家一周的真实做饭频率，实测电饭煲、空气炸锅和破壁机，告诉你哪些值得先买、哪些可以缓一缓。",
        "tags": ["厨房", "小家电", "选购指南"],
        "published_days_ago": 45,
        "intro": "<p>搬进新家后，厨房台面往往只有一米多长，小家电买多了反而没地方放。这份清单来自我家三口人两个月的真实使用：每周煮饭 10 次左右，空气炸锅 4 次，破壁机 2-3 次。</p><p>排序依据是<strong>使用频率 × 做得好不好</strong>，而不是参数。预算有限的话，按顺序买就行。</p>",
        "picks": [
            {
                "product": "micang-ih-rice-cooker",
                "label": "最佳综合 Best overall",
                "reason": "IH 全周加热让米饭受热均匀，锅底和锅边的软硬差别很小，东北大米和泰国香米都煮得好。4 L 容量够 3-6 人，预约和保温都很稳定，是厨房里使用频率最高的一件。",
            },
            {
                "product": "crispa-af55",
                "label": "最佳空气炸锅 Best air fryer",
                "reason": "5.5 L 方形炸篮能平铺 8 个鸡翅，透明视窗不用拉开就能看上色。实测预热到 200 °C 不到 3 分钟，炸篮和烤网都能进洗碗机。",
            },
            {
                "product": "nuanchu-blender-b8",
                "label": "最安静的破壁机 Quietest blender",
                "reason": "带隔音罩，早上 6 点打豆浆不会吵醒家人，一米外实测约 68 dB。玻璃杯不吸味，预约功能可以前一晚放好豆子。",
            },
            {
                "product": "micang-mini-rice-cooker",
                "label": "一人食首选 Best for one",
                "reason": "1.6 L 容量正好一两个人吃，快煮 25 分钟。机身只有 19 cm 宽，放在出租屋的窄台面上也不占地方。",
            },
            {
                "product": "crispa-af30",
                "label": "预算之选 Best budget",
                "reason": "价格两百多元，3 L 容量够一两个人做薯条和鸡翅。只有一个旋钮，没有多余功能，适合第一次尝试空气炸锅的人。",
            },
        ],
        "show_comparison_table": True,
        "comparison_rows": [
            {
                "label": "容量 Capacity",
                "values": ["4 L", "5.5 L", "1.75 L", "1.6 L", "3 L"],
            },
            {
                "label": "功率 Power",
                "values": ["1250 W", "1700 W", "1200 W", "400 W", "1300 W"],
            },
            {
                "label": "适合人数 Serves",
                "values": ["3-6 人", "3-5 人", "2-4 人", "1-2 人", "1-2 人"],
            },
        ],
        "body": [
            ("heading", {"text": "我们怎么测", "level": "h2"}),
            (
                "rich_text",
                "<p>电饭煲统一用同一批东北大米，米水比 1:1.2，精煮和快煮各煮 5 次，记录用时，并对比锅底、锅中和锅边三处米饭的软硬。空气炸锅用同一批冷冻薯条和鸡翅，记录上色是否均匀以及清洗用时。破壁机主要测豆浆的细腻度和噪音，噪音在一米外用分贝计测量。</p><p>所有产品都是自费购买，或品牌借测后归还，排名不受佣金影响。</p>",
            ),
            ("heading", {"text": "先买什么、后买什么", "level": "h2"}),
            (
                "rich_text",
                "<ul><li><strong>必买</strong>：电饭煲。几乎每天都会用，建议一步到位选 IH 加热。</li><li><strong>看习惯</strong>：空气炸锅。爱吃炸物、烤蔬菜的家庭使用率很高，否则容易吃灰。</li><li><strong>可以缓一缓</strong>：破壁机。如果只是偶尔打果汁，一根普通料理棒就够了。</li></ul><p>另外提醒一句：下单前先量好台面和插座位置，空气炸锅的出风口在背面，后方要留出 10 cm 以上的空隙。</p>",
            ),
            (
                "product_grid",
                {
                    "title": "本指南的前三名",
                    "products": [
                        "micang-ih-rice-cooker",
                        "crispa-af55",
                        "nuanchu-blender-b8",
                    ],
                },
            ),
        ],
    },
    # 3. Review, Chinese, kol1
    {
        "type": "review",
        "status": "published",
        "slug": "qingyan-niacinamide-serum-review",
        "title": "清研 5% 烟酰胺精华 28 天实测：提亮有感，别指望祛痘印",
        "author": "kol1",
        "summary": "混合偏敏肌连续用了四周：肤色更均匀、不搓泥，第一周有轻微刺痛；对陈年痘印帮助有限。",
        "tags": ["护肤", "精华", "评测"],
        "published_days_ago": 8,
        "product": "qingyan-niacinamide-serum",
        "rating": "7.8",
        "verdict": "温和的入门款烟酰胺，适合想提亮肤色、预算两百元以内的人；想淡化痘印需要耐心，或搭配其他成分。",
        "pros": [
            "水感质地，叠加防晒不搓泥",
            "无香精无酒精，敏感肌耐受度不错",
            "一瓶约用两个月，单次成本低",
        ],
        "cons": ["第一周两颊有轻微刺痛", "对深色痘印效果不明显"],
        "body": [
            (
                "rich_text",
                "<p>我是 T 区油、两颊偏干的混合肌，换季时脸颊容易泛红。烟酰胺名气很大，但浓度太高时我会刺痛，所以一直只敢用 5% 以下的产品。这次用的清研 5% 烟酰胺精华另外添加了 1% N-乙酰氨基葡萄糖，官方主打提亮和淡化痘印。</p><p>测试方法很简单：连续 28 天早晚各用 3 滴，其他护肤步骤不变，每周在同一时间、同一盏灯下拍照对比。</p>",
            ),
            ("heading", {"text": "四周变化", "level": "h2"}),
            (
                "rich_text",
                "<ul><li><strong>第 1 周</strong>：两颊涂上后有 10 秒左右的轻微刺痛，第 4 天后消失。</li><li><strong>第 2 周</strong>：T 区出油略有减少，下午脸不那么亮。</li><li><strong>第 3-4 周</strong>：整体肤色更均匀，照片里额头和两颊的色差变小；下巴上两个月前的痘印颜色略浅，但没有消失。</li></ul><p>质地接近水，三滴就能涂满全脸，后面叠加面霜和防晒都不搓泥。</p>",
            ),
            (
                "quote",
                {
                    "quote": "烟酰胺是慢功夫，四周能看到肤色更匀就算合格，别把它当成祛印神器。",
                    "attribution": "林小鹿",
                },
            ),
            (
                "pros_cons",
                {
                    "pros": ["早晚都能用，和多数成分不冲突", "滴管设计，用量好控制"],
                    "cons": ["滴管瓶口容易残留，需要擦干净", "线下渠道少，难以先试用"],
                },
            ),
            (
                "product_card",
                {
                    "product": "qingyan-niacinamide-serum",
                    "call_to_action": "查看价格",
                    "note": "初次使用建议先隔天用，一周后再改为早晚各一次。",
                },
            ),
        ],
    },
    # 4. Guide, Chinese, kol1
    {
        "type": "guide",
        "status": "published",
        "slug": "sensitive-skin-summer-routine",
        "title": "敏感肌夏季护肤清单：洁面、精华、面霜、防晒四步就够",
        "author": "kol1",
        "summary": "夏天护肤不必叠十层。四件温和、无香精的产品，覆盖清洁、提亮、修护和防晒。",
        "tags": ["护肤", "敏感肌", "清单"],
        "published_days_ago": 62,
        "intro": "<p>夏天出油多、出汗多，很多人会换上清洁力很强的洁面，结果屏障受损，反而更容易泛红。我的原则是：<strong>清洁温和、保湿够用、防晒必须</strong>。</p><p>下面四件是我和三位敏感肌朋友一起用了一整个夏天后挑出来的，都不含香精和酒精。</p>",
        "picks": [
            {
                "product": "cerelle-gel-cleanser",
                "label": "温和洁面 Best cleanser",
                "reason": "弱酸性氨基酸表活，泡沫很少，但洗掉日常防晒足够。洗完脸不紧绷，早晚都能用。",
            },
            {
                "product": "qingyan-niacinamide-serum",
                "label": "提亮精华 Best serum",
                "reason": "5% 的浓度对敏感肌比较友好，水感质地夏天用不闷。坚持四周，肤色会更均匀。",
            },
            {
                "product": "cerelle-barrier-cream",
                "label": "修护面霜 Best moisturiser",
                "reason": "神经酰胺、胆固醇和泛醇的组合帮助修护屏障，质地中等，夏天晚上用刚好。真空泵瓶更卫生，开封后也不易氧化。",
            },
            {
                "product": "solenne-spf50-fluid",
                "label": "日常防晒 Best sunscreen",
                "reason": "SPF50 PA++++，干爽不泛白，叠妆不搓泥。通勤日中午补涂一次就够，户外运动出汗后要及时补。",
            },
        ],
        "show_comparison_table": True,
        "comparison_rows": [
            {"label": "容量 Size", "values": ["150 ml", "30 ml", "50 ml", "50 ml"]},
            {"label": "使用时段 When", "values": ["早晚", "早晚", "晚上", "早上"]},
        ],
        "body": [
            ("heading", {"text": "为什么只要四步", "level": "h2"}),
            (
                "rich_text",
                "<p>敏感肌最怕的往往不是某个单一成分，而是同时用太多产品，一旦泛红，很难判断是谁的问题。四步流程的好处是变量少：洁面负责清洁，精华只针对一个明确目标，面霜负责修护，防晒负责预防。</p><p>如果你正处在泛红、刺痛的急性期，建议先停掉精华，只保留洁面、面霜和防晒，等皮肤稳定两周后再加回来。</p>",
            ),
            (
                "quote",
                {
                    "quote": "新品一次只加一个，至少观察一周再加下一个。",
                    "attribution": "一位皮肤科医生朋友的建议",
                },
            ),
            (
                "rich_text",
                "<p>关于防晒，很多人觉得阴天不用涂，其实 UVA 可以穿透云层和玻璃窗。每天早上护肤的最后一步，涂足一元硬币大小的用量；中午在室外待得多，就再补一次。</p><p>晚上用温和洁面洗一遍即可，日常防晒一般不需要专门卸妆。洗完脸先用精华，等一分钟吸收后再上面霜，手法以按压为主，不要用力揉搓。</p>",
            ),
            (
                "comparison_table",
                {
                    "caption": "同品牌的洁面和面霜怎么搭配",
                    "products": ["cerelle-gel-cleanser", "cerelle-barrier-cream"],
                    "rows": [
                        {"label": "质地", "values": ["低泡凝胶", "中等乳霜"]},
                        {"label": "容量", "values": ["150 ml", "50 ml"]},
                        {"label": "用在哪一步", "values": ["第一步", "精华之后"]},
                    ],
                },
            ),
            (
                "product_grid",
                {
                    "title": "清单里的四件",
                    "products": [
                        "cerelle-gel-cleanser",
                        "qingyan-niacinamide-serum",
                        "cerelle-barrier-cream",
                        "solenne-spf50-fluid",
                    ],
                },
            ),
        ],
    },
    # 5. Review, English, kol2
    {
        "type": "review",
        "status": "published",
        "slug": "hollis-c38-grinder-review",
        "title": "Hollis C-38 review: the hand grinder that made me sell my electric one",
        "author": "kol2",
        "summary": "Six weeks of daily pour-over and the occasional espresso shot. The C-38 grinds cleanly, adjusts precisely and is worth the price if you brew light roasts.",
        "tags": ["coffee", "grinder", "review"],
        "published_days_ago": 33,
        "product": "hollis-c38-grinder",
        "rating": "8.8",
        "verdict": "The best-value hand grinder I've used for pour-over: clean, consistent and easy to dial in. Espresso works, but it's slow.",
        "pros": [
            "Very consistent grind for filter coffee",
            "30-micron clicks make dialling in easy",
            "Solid aluminium body with no burr wobble",
        ],
        "cons": [
            "Slow for espresso: 18 g takes about 70 seconds",
            "Catch cup is tight for a 35 g dose",
        ],
        "body": [
            (
                "rich_text",
                "<p>I worked behind a bar for four years, and for most of that time I thought of hand grinders as a compromise you made for travel. The <strong>Hollis C-38</strong> changed my mind. For six weeks it replaced my electric flat-burr grinder for every morning brew: a 15 g pour-over on weekdays, a 30 g batch for two at weekends, and a few espresso shots to see how far it stretches.</p><p>I brewed mostly washed Ethiopian and Kenyan coffees roasted light, which are the beans where a grinder's consistency shows up fastest in the cup.</p>",
            ),
            ("heading", {"text": "Grind quality", "level": "h2"}),
            (
                "rich_text",
                "<p>Sifting 20 g ground at 24 clicks, I measured about 8% fines below 400 microns: close to my old electric grinder and clearly better than the ceramic-burr hand grinders I've tried. In the cup that means clearer acidity and less of the muddy bitterness that creeps in with slow drawdowns.</p><p>The adjustment dial sits under the burr and moves in steps of about 30 microns. For pour-over I landed between 22 and 26 clicks; for espresso, 8 to 10. Grinding 20 g for filter takes around 40 seconds, which is fine before the first cup of the day.</p>",
            ),
            (
                "quote",
                {
                    "quote": "If you drink light roasts, the grinder matters more than the kettle, the dripper and the scale put together.",
                    "attribution": "Theo Marsh",
                },
            ),
            (
                "pros_cons",
                {
                    "pros": [
                        "Little static: grounds drop cleanly out of the catch cup",
                        "Comes apart without tools for cleaning",
                    ],
                    "cons": [
                        "No numbered dial, so you count clicks from zero",
                        "The knurled grip gets slippery with wet hands",
                    ],
                },
            ),
            (
                "product_card",
                {
                    "product": "hollis-c38-grinder",
                    "call_to_action": "Check price",
                    "note": "The graphite finish hides fingerprints better than the silver one.",
                },
            ),
            (
                "product_grid",
                {
                    "title": "Pairs well with",
                    "products": [
                        "pourwell-gooseneck-kettle",
                        "pourwell-cone-dripper",
                        "muhe-coffee-scale",
                    ],
                },
            ),
        ],
    },
    # 6. Guide, English, kol2
    {
        "type": "guide",
        "status": "published",
        "slug": "pour-over-starter-kit",
        "title": "The pour-over starter kit: four tools that actually matter",
        "author": "kol2",
        "summary": "Skip the gadgets. A good grinder, a gooseneck kettle, a timer scale and a simple cone are all you need for café-quality coffee at home.",
        "tags": ["coffee", "pour-over", "buying guide"],
        "published_days_ago": 88,
        "intro": "<p>Most pour-over kits come as bundles with a glass server, a thermometer and a stand you'll never use. After two years of teaching home-brewing classes, I think four tools do the real work, and one of them deserves most of the budget.</p><p>The list is ordered by how much each tool improves the cup, so if money is tight, buy from the top down.</p>",
        "picks": [
            {
                "product": "hollis-c38-grinder",
                "label": "Best overall: the grinder",
                "reason": "Grind consistency decides how evenly coffee extracts, and no kettle can fix an uneven grind. The C-38's 38 mm steel burrs produce few fines, and its 30-micron steps make dialling in quick.",
            },
            {
                "product": "pourwell-gooseneck-kettle",
                "label": "Best kettle",
                "reason": "Temperature control to the degree matters for light roasts, and the narrow spout makes a slow, steady pour easy even for beginners. The 60-minute keep-warm is handy for a second cup.",
            },
            {
                "product": "muhe-coffee-scale",
                "label": "Best scale",
                "reason": "Accurate to 0.1 g, with a timer that starts when water hits the coffee. It's thin enough to fit on an espresso machine's drip tray, too.",
            },
            {
                "product": "pourwell-cone-dripper",
                "label": "Best dripper",
                "reason": "A simple ceramic cone with one large outlet: forgiving, cheap and uses filters you can buy anywhere. Preheat it well, because porcelain soaks up heat.",
            },
        ],
        "show_comparison_table": True,
        "comparison_rows": [
            {"label": "Price (approx.)", "values": ["$169", "$89", "$39", "$24"]},
            {
                "label": "What it fixes",
                "values": [
                    "Uneven extraction",
                    "Pour control",
                    "Repeatable ratios",
                    "Flow and contact time",
                ],
            },
        ],
        "body": [
            ("heading", {"text": "A recipe to start with", "level": "h2"}),
            (
                "rich_text",
                "<p>Use 15 g of coffee to 250 g of water at 93 °C, ground at about 24 clicks on the C-38. Pour 40 g and wait 40 seconds for the bloom, then pour in slow circles to 150 g by 1:15 and to 250 g by 1:45. The drawdown should finish between 2:45 and 3:15.</p><ul><li>If it tastes sour and thin, grind two clicks finer.</li><li>If it tastes bitter and dry, grind two clicks coarser.</li></ul><p>Change one thing at a time and write it down; the scale's timer makes that easy.</p>",
            ),
            ("heading", {"text": "What you can skip", "level": "h2"}),
            (
                "rich_text",
                "<p>A separate thermometer is unnecessary with a temperature-controlled kettle. Glass servers look nice, but any mug works. Paper filter brands do differ, though less than the internet suggests: rinse whichever you buy with hot water to remove the papery taste, and you preheat the dripper at the same time.</p><p>Fancy water recipes can wait too. If your tap water tastes fine, a simple jug filter gets you most of the way.</p>",
            ),
            (
                "comparison_table",
                {
                    "caption": "The two plug-in pieces of the kit",
                    "products": ["pourwell-gooseneck-kettle", "muhe-coffee-scale"],
                    "rows": [
                        {"label": "Price", "values": ["$89", "$39"]},
                        {
                            "label": "Power",
                            "values": [
                                "1200 W, mains",
                                "USB-C, about 30 days per charge",
                            ],
                        },
                    ],
                },
            ),
            (
                "product_card",
                {
                    "product": "pourwell-gooseneck-kettle",
                    "call_to_action": "See the kettle",
                    "note": "Set it to 93 °C for light roasts and 88 °C for darker ones.",
                },
            ),
        ],
    },
    # 7. Review, English, kol2
    {
        "type": "review",
        "status": "published",
        "slug": "aurelle-studio-one-review",
        "title": "Aurelle Studio One review: open-back sound without an amplifier",
        "author": "kol2",
        "summary": "An open-back headphone that a phone dongle can drive, with a wide soundstage and comfortable velour pads. Just don't take it outside.",
        "tags": ["headphones", "hi-fi", "review"],
        "published_days_ago": 15,
        "product": "aurelle-studio-one",
        "rating": "8.2",
        "verdict": "A natural-sounding, comfortable open-back for home listening that needs no amp; it leaks sound both ways, so it's not for commutes.",
        "pros": [
            "Wide, natural soundstage",
            "Easy to drive from a phone dongle",
            "Comfortable for long sessions at 285 g",
        ],
        "cons": [
            "Leaks sound: no good on a train or in a shared office",
            "Bass rolls off below about 40 Hz",
        ],
        "body": [
            (
                "rich_text",
                "<p>I sold headphones for three years, and the question I heard most was some version of “Do I need an amp for this?” With the <strong>Aurelle Studio One</strong> the answer is no. Its 32-ohm drivers got plenty loud from a $15 USB-C dongle on my phone, and from my laptop's headphone jack I never went past 60% volume.</p><p>I used it for a month as my main headphone at home: evening listening, a couple of editing sessions for a friend's podcast, and a lot of film soundtracks.</p>",
            ),
            ("heading", {"text": "How it sounds", "level": "h2"}),
            (
                "rich_text",
                "<p>The open-back design gives a sense of space that closed headphones struggle to match. On orchestral recordings the instruments sit in front of and around you rather than inside your head. The mids are even and voices sound natural; the treble is detailed without being sharp, so long sessions don't get tiring.</p><p>The trade-off is sub-bass. Electronic music and film explosions lose some of their physical rumble below about 40 Hz. If your playlist is mostly bass-heavy, a closed headphone such as the Sonari WH-7 will feel fuller.</p>",
            ),
            (
                "comparison_table",
                {
                    "caption": "Studio One or WH-7: home or commute?",
                    "products": ["aurelle-studio-one", "sonari-wh7"],
                    "rows": [
                        {
                            "label": "Design",
                            "values": ["Open-back, wired", "Closed-back, wireless ANC"],
                        },
                        {"label": "Weight", "values": ["285 g", "254 g"]},
                        {
                            "label": "Best for",
                            "values": [
                                "A quiet room at home",
                                "Trains, planes and offices",
                            ],
                        },
                    ],
                },
            ),
            (
                "quote",
                {
                    "quote": "Open-backs are speakers you wear: wonderful in a quiet room, antisocial anywhere else.",
                    "attribution": "Theo Marsh",
                },
            ),
            (
                "product_card",
                {
                    "product": "aurelle-studio-one",
                    "call_to_action": "Check price",
                    "note": "The included cable is 1.8 m; a 1.2 m cable for desk use is sold separately.",
                },
            ),
        ],
    },
    # 8. Guide, English, kol2 — draft awaiting an editor
    {
        "type": "guide",
        "status": "draft",
        "slug": "travel-tech-kit",
        "title": "What I actually pack: a travel tech kit for long-haul trips",
        "author": "kol2",
        "summary": "Five gadgets that survived a year of long flights and hotel rooms: noise-cancelling headphones, one charger, one power bank, an e-reader and a tiny speaker.",
        "tags": ["travel", "gadgets", "buying guide"],
        "intro": "<p>I used to travel with a tangle of chargers and three pairs of headphones. After a year of monthly flights between Portland and Asia, my bag has shrunk to five things that each do one job well.</p><p>Everything here fits in a small pouch and follows airline rules for batteries in carry-on bags.</p>",
        "picks": [
            {
                "product": "sonari-wh7",
                "label": "Best for flights",
                "reason": "Strong low-frequency noise cancelling takes the edge off engine drone, and 30 hours of battery covers a Pacific crossing with plenty to spare. Folds flat into its case.",
            },
            {
                "product": "voltra-65w-gan",
                "label": "One charger for everything",
                "reason": "Three ports and 65 W in one block: laptop, phone and headphones all charge overnight from a single socket. Folding prongs and 118 g.",
            },
            {
                "product": "voltra-pb20",
                "label": "Best power bank",
                "reason": "At 72 Wh it's under the 100 Wh carry-on limit, and 45 W USB-C can top up a laptop during a layover. It recharges itself in about two and a half hours.",
            },
            {
                "product": "inkleaf-7",
                "label": "Best for reading",
                "reason": "Waterproof, light and weeks of battery, with physical page buttons that work one-handed on a crowded train. Opens EPUB files without conversion.",
            },
            {
                "product": "kestrel-pod-mini",
                "label": "Hotel-room speaker",
                "reason": "Small enough to forget about, loud enough for a hotel room, and it floats if you knock it into the pool.",
            },
        ],
        "show_comparison_table": True,
        "comparison_rows": [
            {
                "label": "Weight",
                "values": ["254 g", "118 g", "405 g", "185 g", "240 g"],
            },
            {
                "label": "Battery",
                "values": [
                    "30 h with ANC",
                    "Mains only",
                    "20,000 mAh",
                    "About 5 weeks",
                    "About 12 h",
                ],
            },
        ],
        "body": [
            (
                "rich_text",
                "<p>The rule I travel by: every device must charge over USB-C, and nothing gets its own charger. That single rule removed more weight from my bag than any clever gadget. The second rule is that everything has to survive being dropped into a seat-back pocket and forgotten for a day.</p><p>This guide covers what has stayed in my bag for twelve months. Gear I tried and sent back gets a short note at the end.</p>",
            ),
            ("heading", {"text": "Power: one charger, one bank", "level": "h2"}),
            (
                "rich_text",
                "<p>The Voltra 65 W charger runs my 13-inch laptop at full speed from one port, or a laptop and phone together at 45 W plus 20 W. Paired with the PB20 power bank, I land with everything charged even after a 14-hour flight without seat power.</p><p>Check your airline's rules before you fly: most allow power banks up to 100 Wh in carry-on bags only, never in checked luggage, and some ask you to keep them out of the overhead bin.</p>",
            ),
            (
                "product_grid",
                {
                    "title": "The power pair",
                    "products": ["voltra-65w-gan", "voltra-pb20"],
                },
            ),
            (
                "pros_cons",
                {
                    "pros": [
                        "Everything charges from one USB-C charger",
                        "The whole kit weighs about 1.2 kg",
                    ],
                    "cons": [
                        "The speaker is a luxury most people can skip",
                        "An e-reader is one more device to keep charged",
                    ],
                },
            ),
        ],
    },
    # 9. Review, Chinese, member1
    {
        "type": "review",
        "status": "published",
        "slug": "jietu-r9-review-cat-home",
        "title": "洁途 R9 扫拖机器人：养两只猫的出租屋用了两个月",
        "author": "member1",
        "summary": "猫毛、猫砂加木地板，R9 的防缠滚刷和自动洗拖布基站确实省事，但基站体积大、价格不低。",
        "tags": ["扫地机器人", "养猫", "评测"],
        "published_days_ago": 27,
        "product": "jietu-r9",
        "rating": "7.9",
        "verdict": "养宠家庭的省心之选：猫毛几乎不缠刷，拖布自动清洗烘干；小户型下单前先确认基站放得下。",
        "pros": [
            "双滚刷几乎不缠猫毛",
            "基站自动洗拖布并热风烘干，没有异味",
            "激光导航建图快，分区清扫准确",
        ],
        "cons": ["基站高约 45 cm，小户型不好摆放", "散落的猫砂颗粒偶尔会卡住滚刷"],
        "body": [
            (
                "rich_text",
                "<p>我住在上海一套 62 平米的一室一厅，地面是复合木地板，家里有两只长毛猫。以前每天下班第一件事就是用吸尘器吸一遍猫毛，周末再拖一次地，一周大概要花三个小时。去年底换了 <strong>洁途 R9</strong>，设定每天上午 10 点自动清扫。两个月下来，我手动打扫的时间降到了每周不到半小时。</p><p>这篇评测重点看三件事：猫毛会不会缠刷、猫砂怎么处理、基站在小户型里到底占多大地方。</p>",
            ),
            ("heading", {"text": "猫毛和猫砂", "level": "h2"}),
            (
                "rich_text",
                "<p>R9 的双滚刷是橡胶条和短毛混合的，猫毛主要卷在滚刷中间再被吸走，两个月里我只清理过两次缠在边刷上的长毛。猫砂是个问题：猫砂盆周围散落的豆腐砂，它能吸走大部分，但偶尔会有颗粒卡在滚刷和机身之间，需要手动取出。我的做法是在猫砂盆前铺一块踏垫，并在 App 里把这块区域设为禁区。</p><p>集尘袋满了会提醒。两只猫的情况下大约 40 天换一次，比官方说的 60 天快一些。</p>",
            ),
            (
                "pros_cons",
                {
                    "pros": [
                        "每天定时清扫，下班回家地面就是干净的",
                        "标准档噪音约 60 dB，白天不影响猫休息",
                    ],
                    "cons": [
                        "集尘袋和拖布属于耗材，每年约 300 元",
                        "App 里的推广信息偏多",
                    ],
                },
            ),
            (
                "comparison_table",
                {
                    "caption": "R9 和入门款 Rovi S5 怎么选",
                    "products": ["jietu-r9", "rovi-s5"],
                    "rows": [
                        {"label": "导航", "values": ["激光", "陀螺仪"]},
                        {"label": "吸力", "values": ["8000 Pa", "2700 Pa"]},
                        {"label": "自动集尘", "values": ["有", "无"]},
                    ],
                },
            ),
            (
                "product_card",
                {
                    "product": "jietu-r9",
                    "call_to_action": "查看价格",
                    "note": "下单前量一下基站位置：需要宽 45 cm，前方留出 50 cm 空地。",
                },
            ),
        ],
    },
    # 10. Guide, Chinese, member1
    {
        "type": "guide",
        "status": "published",
        "slug": "small-apartment-cleaning-guide",
        "title": "小户型清洁家电指南：空气净化器和扫地机器人怎么选",
        "author": "member1",
        "summary": "70 平米以内的出租屋，净化器要多大 CADR？扫地机要不要上基站？按预算和户型给出四个选择。",
        "tags": ["家居", "空气净化器", "扫地机器人"],
        "published_days_ago": 54,
        "intro": "<p>租房的人买家电最怕两件事：买大了放不下，买小了不管用。这篇指南只针对 <strong>30-70 平米</strong> 的小户型，根据我自己和三位同事家里的实际使用情况整理。</p><p>空气净化器看 CADR 和噪音，扫地机器人看导航方式和基站体积，其他参数大多可以忽略。</p>",
        "picks": [
            {
                "product": "jinglan-ap600",
                "label": "最佳净化器 Best purifier",
                "reason": "颗粒物 CADR 600 m³/h，开最高档 20 分钟就能把 50 平米客厅的 PM2.5 从 150 降到 20 以下。睡眠模式 29 dB，放在卧室也不吵。",
            },
            {
                "product": "jietu-r9",
                "label": "最省心扫地机 Best robot vacuum",
                "reason": "自动集尘加自动洗拖布，基本不用每天动手。养宠物的家庭尤其值得，双滚刷几乎不缠毛。",
            },
            {
                "product": "breezo-p3",
                "label": "卧室净化器 Best for bedrooms",
                "reason": "CADR 250 m³/h，适合 20 平米以内的卧室，体积只有两个大号保温杯那么大。滤芯大约半年更换一次。",
            },
            {
                "product": "rovi-s5",
                "label": "入门扫地机 Best budget",
                "reason": "价格约为 R9 的三分之一，机身 7.2 cm 高，能钻进大多数沙发和床底。没有基站，需要每两三天倒一次尘盒。",
            },
        ],
        "show_comparison_table": True,
        "comparison_rows": [
            {"label": "价格 Price", "values": ["¥1999", "¥3199", "¥899", "¥1199"]},
            {
                "label": "噪音 Noise",
                "values": ["29-58 dB", "约 60 dB", "24-52 dB", "约 65 dB"],
            },
            {
                "label": "耗材 Consumables",
                "values": [
                    "滤芯约 ¥399/年",
                    "集尘袋和拖布约 ¥300/年",
                    "滤芯约 ¥260/年",
                    "边刷约 ¥60/年",
                ],
            },
        ],
        "body": [
            ("heading", {"text": "净化器：CADR 要多大", "level": "h2"}),
            (
                "rich_text",
                "<p>一个简单的估算方法：CADR（m³/h）≈ 房间面积 × 层高 × 5。以 20 平米、层高 2.7 米的卧室为例，需要约 270 m³/h，Breezo P3 基本够用；客厅加餐厅 45 平米左右，就需要 600 m³/h 级别的机器。</p><p>如果家里刚装修，还要看甲醛 CADR。也要记得，净化器只能辅助，开窗通风和时间才是去除甲醛的主力。</p><p>噪音同样重要：很多人嫌吵只开最低档，实际净化效果就大打折扣。选购时留意睡眠模式的分贝数，30 dB 以下放在卧室基本不影响入睡。</p>",
            ),
            ("heading", {"text": "扫地机：要不要基站", "level": "h2"}),
            (
                "rich_text",
                "<p>基站的价值在于把“每天倒尘盒、洗拖布”变成“一两个月换一次集尘袋”。如果你每天通勤超过一小时，或者家里有宠物，基站的溢价很值得；如果家里以地砖为主，又愿意隔几天清理一次，入门款完全够用。</p><ul><li>下单前量好基站位置，高度和前方空地都要留够。</li><li>地上电线、袜子多的家庭，优先选带避障功能的机型。</li></ul>",
            ),
            (
                "product_grid",
                {
                    "title": "本文推荐",
                    "products": ["jinglan-ap600", "jietu-r9", "breezo-p3", "rovi-s5"],
                },
            ),
        ],
    },
    # 11. Review, Chinese, member1 — draft awaiting an editor
    {
        "type": "review",
        "status": "draft",
        "slug": "zhufeng-racer-carbon-review",
        "title": "逐风 Racer 碳板跑鞋：半马 PB 之后的冷静评价",
        "author": "member1",
        "summary": "穿着它跑出了 1 小时 42 分的半马个人最好成绩，但我不会推荐它作为日常训练鞋。",
        "tags": ["跑鞋", "碳板", "半马"],
        "product": "zhufeng-racer-carbon",
        "rating": "8.0",
        "verdict": "千元出头的碳板竞速鞋里，推进感和轻量都很出色；鞋面支撑偏弱，配速慢于 5:30 的跑者收益有限。",
        "pros": [
            "198 g 很轻，后半程腿不沉",
            "碳板回弹明显，配速 4:50 左右最舒服",
            "价格比同类竞速鞋低三到五百元",
        ],
        "cons": [
            "鞋面支撑一般，急转弯时脚在鞋里滑动",
            "外底耐磨一般，150 km 时前掌已明显磨损",
        ],
        "body": [
            (
                "rich_text",
                "<p>我跑步三年，之前的半马成绩是 1 小时 47 分。今年春天备赛时我买了 <strong>逐风 Racer</strong>，训练中只在每周一次的节奏跑里穿，比赛那天第一次完整跑完 21 公里，成绩是 1 小时 42 分 18 秒。这当然主要是训练的功劳，但鞋子在后半程确实帮了忙。</p><p>这篇评价基于大约 150 公里的使用，其中包括 8 次节奏跑、2 次 25 公里长距离和那场比赛。我的体重 68 kg，偏后跟着地，下面的感受对体重更大或前掌跑法的跑者未必完全适用。</p>",
            ),
            ("heading", {"text": "推进感和脚感", "level": "h2"}),
            (
                "rich_text",
                "<p>PEBA 中底很软，但碳板让它不会塌陷。配速在 4:40-5:00 之间时，落地后有一种被向前送的感觉，不用刻意提高步频也能维持速度。慢于 5:30 的配速下，这种感觉明显变弱，反而因为中底太软显得不稳。</p><p>鞋面是单层网布，透气性很好，但支撑有限。比赛中有几处 90 度转弯，我能感觉到脚在鞋里向外滑，建议用锁扣系法系紧鞋带。</p>",
            ),
            (
                "quote",
                {
                    "quote": "碳板鞋是比赛日的工具，不是训练的捷径。",
                    "attribution": "跑团教练老周",
                },
            ),
            (
                "comparison_table",
                {
                    "caption": "Racer 与日常训练鞋 Daily 9 对比",
                    "products": ["zhufeng-racer-carbon", "velox-daily-9"],
                    "rows": [
                        {"label": "重量（男款约 42 码）", "values": ["198 g", "285 g"]},
                        {"label": "落差", "values": ["8 mm", "10 mm"]},
                        {
                            "label": "定位",
                            "values": ["比赛、节奏跑", "日常慢跑、长距离"],
                        },
                    ],
                },
            ),
            (
                "product_card",
                {
                    "product": "zhufeng-racer-carbon",
                    "call_to_action": "查看价格",
                    "note": "鞋码偏小半码，平时穿 42 码的建议选 42.5。",
                },
            ),
        ],
    },
    # 12. Review, English, member2
    {
        "type": "review",
        "status": "published",
        "slug": "velox-tempo-3-review",
        "title": "Velox Tempo 3 after 300 km: the shoe for your fast days",
        "author": "member2",
        "summary": "Light, springy and stable enough for intervals and tempo runs. After 300 km the foam still bounces, but the outsole shows wear.",
        "tags": ["running", "shoes", "review"],
        "published_days_ago": 11,
        "product": "velox-tempo-3",
        "rating": "8.4",
        "verdict": "A light, lively trainer for tempo runs and intervals that doubles as a race shoe for newer runners; too firm for slow recovery days.",
        "pros": [
            "232 g and springy without a carbon plate",
            "Stable enough for track bends",
            "Foam still lively after 300 km",
        ],
        "cons": [
            "Outsole wears quickly under the forefoot",
            "Narrow toe box for wide feet",
        ],
        "body": [
            (
                "rich_text",
                "<p>I test every shoe on the same 12 km loop around MacRitchie Reservoir: a flat warm-up, a rolling middle section and a fast finish along the park connector. Over ten weeks the <strong>Velox Tempo 3</strong> did 300 km with me, mostly Tuesday intervals and Thursday tempo runs at about 4:45 per km, plus two 10 km races.</p><p>As a physio student I also pay attention to how my calves and Achilles feel the next morning, which is often where a shoe's drop and stiffness show up.</p>",
            ),
            ("heading", {"text": "On the road", "level": "h2"}),
            (
                "rich_text",
                "<p>The nitrogen-infused foam feels firm when you stand still and comes alive once you pick up the pace. At 4:30 to 5:00 per km the shoe rolls forward smoothly, and the 8 mm drop kept my calves happy even after a hard session of 6 × 1 km. On the track, the wide heel felt secure through the bends.</p><p>It's less fun slow. Below about 6:00 per km the ride feels flat and slightly harsh, so I kept my Daily 9 for recovery runs.</p>",
            ),
            (
                "pros_cons",
                {
                    "pros": [
                        "Gusseted tongue stays put",
                        "Reflective heel tab for pre-dawn runs",
                    ],
                    "cons": [
                        "Slippery laces: double-knot them",
                        "Runs half a size small",
                    ],
                },
            ),
            ("heading", {"text": "Durability", "level": "h3"}),
            (
                "rich_text",
                "<p>At 300 km the midsole still rebounds well; on my test loop I couldn't feel a difference from a new pair. The outsole is another story: the rubber under the forefoot is visibly worn, and I expect it to go bald somewhere around 500 to 600 km.</p><p>That's normal for a light trainer, but worth knowing at this price. If you only run fast once or twice a week, the pair should last a full training block.</p>",
            ),
            (
                "product_card",
                {
                    "product": "velox-tempo-3",
                    "call_to_action": "Check price",
                    "note": "Go half a size up if you're between sizes.",
                },
            ),
        ],
    },
    # 13. Guide, English, member2
    {
        "type": "guide",
        "status": "published",
        "slug": "first-half-marathon-shoes",
        "title": "Running shoes for your first half marathon: what to buy and when",
        "author": "member2",
        "summary": "A daily trainer does most of the work. How to pick one, when a faster shoe makes sense, and what to wear if your race goes off-road.",
        "tags": ["running", "half marathon", "buying guide"],
        "published_days_ago": 74,
        "intro": "<p>Training for a first half marathon usually means 12 to 16 weeks and 400 to 600 km of running. The shoe that carries you through those kilometres matters far more than the one you race in.</p><p>These picks come from my own build-up and from the beginners' group I run with on Sunday mornings; we swapped shoes and compared notes.</p>",
        "picks": [
            {
                "product": "velox-daily-9",
                "label": "Best overall: daily trainer",
                "reason": "A wide, stable base and soft cushioning that protect your legs through the bulk of training. It comes in a wide fit, which many beginners need by week eight, when feet swell on long runs.",
            },
            {
                "product": "velox-tempo-3",
                "label": "Best for speed sessions",
                "reason": "One faster session a week is where a lighter shoe pays off. The Tempo 3 is springy without being unstable, and it doubles as a race-day shoe for most first-timers.",
            },
            {
                "product": "zhufeng-racer-carbon",
                "label": "Best race-day upgrade",
                "reason": "If you're aiming for under 1:50, the carbon plate and PEBA foam make the last five kilometres easier. Wear it for at least two long runs before race day.",
            },
            {
                "product": "trailmark-ridge-2",
                "label": "Best for trail half marathons",
                "reason": "Deep lugs and a forefoot rock plate for rocky, muddy courses. It's often out of stock, so look early if your race is off-road.",
            },
        ],
        "show_comparison_table": True,
        "comparison_rows": [
            {
                "label": "Weight (men's US 9)",
                "values": ["285 g", "232 g", "198 g", "310 g"],
            },
            {"label": "Drop", "values": ["10 mm", "8 mm", "8 mm", "6 mm"]},
            {
                "label": "Use",
                "values": [
                    "Easy and long runs",
                    "Tempo and intervals",
                    "Race day",
                    "Trail races",
                ],
            },
        ],
        "body": [
            ("heading", {"text": "How to choose", "level": "h2"}),
            (
                "rich_text",
                "<p>Shop late in the afternoon, when your feet are at their largest, and bring the socks you run in. You want a thumb's width between your longest toe and the end of the shoe. Jog a few metres in the shop: if you notice the shoe, keep looking.</p><ul><li><strong>Weeks 1–8:</strong> one daily trainer is enough.</li><li><strong>Weeks 8–16:</strong> add a lighter shoe for speed work and rotate the two.</li><li><strong>Race day:</strong> wear a pair you've already run at least 30 km in.</li></ul>",
            ),
            (
                "quote",
                {
                    "quote": "Nothing new on race day: not the shoes, not the socks, not the breakfast.",
                    "attribution": "Advice from every running club, ours included",
                },
            ),
            (
                "rich_text",
                "<p>Replace a daily trainer somewhere between 600 and 800 km, or sooner if new aches show up after easy runs. Writing the date you started a pair on the inside of the tongue is the simplest way to keep track.</p><p>If you rotate two pairs, each lasts longer, and the foam gets a day to recover between runs. Keep your oldest pair for rainy days and gym sessions rather than throwing it out.</p>",
            ),
            (
                "product_grid",
                {
                    "title": "Our road picks",
                    "products": [
                        "velox-daily-9",
                        "velox-tempo-3",
                        "zhufeng-racer-carbon",
                    ],
                },
            ),
        ],
    },
    # 14. Review, English, member2
    {
        "type": "review",
        "status": "published",
        "slug": "crispa-af55-review",
        "title": "Crispa AF-55 air fryer review: the one we kept after testing three",
        "author": "member2",
        "summary": "Big enough for a family, quick to preheat and easy to clean. The window is more useful than it sounds; the fan is louder than it should be.",
        "tags": ["kitchen", "air fryer", "review"],
        "published_days_ago": 2,
        "product": "crispa-af55",
        "rating": "8.1",
        "verdict": "A roomy, quick air fryer that cooks evenly and cleans up in minutes; if your kitchen is tiny or you cook for one, the AF-30 makes more sense.",
        "pros": [
            "5.5 L basket fits a whole 1.2 kg chicken",
            "Preheats to 200 °C in under three minutes",
            "Window lets you check browning without opening",
        ],
        "cons": ["Fan is noisy at about 62 dB", "Takes up a lot of counter depth"],
        "body": [
            (
                "rich_text",
                "<p>I share a flat with two other students, and our kitchen has one small oven we all fight over. Over a month we tested three air fryers and kept the <strong>Crispa AF-55</strong>. It cooked roughly 40 meals: frozen fries and dumplings, chicken thighs, roasted broccoli and, once, a whole chicken for a flatmate's birthday.</p><p>Between the three of us it ran almost every evening, which is a better stress test than any recipe list.</p>",
            ),
            ("heading", {"text": "Cooking results", "level": "h2"}),
            (
                "rich_text",
                "<p>Frozen fries took 14 minutes at 200 °C with one shake and came out evenly crisp; the smaller AF-30 needed 17 minutes for a smaller batch. Chicken thighs were the standout: 22 minutes skin-side up, with crackly skin and juicy meat. The window is the underrated feature. We stopped pulling the basket out every few minutes to check, which keeps the heat in and shortens cooking.</p><p>Cleanup is simple: the basket and crisper plate go in the dishwasher, and a short soak handles anything stuck on.</p>",
            ),
            (
                "pros_cons",
                {
                    "pros": [
                        "Square basket holds more than a round one of the same volume",
                        "Clear, simple dial controls",
                    ],
                    "cons": [
                        "The non-stick coating needs silicone tongs",
                        "Short power cord, about 80 cm",
                    ],
                },
            ),
            (
                "comparison_table",
                {
                    "caption": "AF-55 or the compact AF-30?",
                    "products": ["crispa-af55", "crispa-af30"],
                    "rows": [
                        {"label": "Capacity", "values": ["5.5 L", "3 L"]},
                        {"label": "Power", "values": ["1700 W", "1300 W"]},
                        {"label": "Width", "values": ["About 34 cm", "26 cm"]},
                    ],
                },
            ),
            (
                "product_card",
                {
                    "product": "crispa-af55",
                    "call_to_action": "Check price",
                    "note": "Leave 10 cm free behind it: the exhaust vent gets hot.",
                },
            ),
        ],
    },
]

COLLECTIONS = [
    {
        "slug": "gifts-that-land",
        "name": "送礼不踩雷 Gifts that land",
        "description": "Tested gear that makes a safe gift for commuters, coffee lovers and home cooks.",
        "articles": [
            "sonari-wh7-review",
            "hollis-c38-grinder-review",
            "crispa-af55-review",
            "sensitive-skin-summer-routine",
        ],
    },
    {
        "slug": "small-home-upgrades",
        "name": "小家升级 Small-home upgrades",
        "description": "Appliances that earn their counter and floor space in a small apartment.",
        "articles": [
            "kitchen-appliances-starter-guide",
            "small-apartment-cleaning-guide",
            "jietu-r9-review-cat-home",
            "crispa-af55-review",
        ],
    },
    {
        "slug": "morning-rituals",
        "name": "早晨仪式 Morning rituals",
        "description": "Coffee, running and skincare: guides for a better first hour of the day.",
        "articles": [
            "pour-over-starter-kit",
            "velox-tempo-3-review",
            "first-half-marathon-shoes",
            "qingyan-niacinamide-serum-review",
        ],
    },
]

HOME_FEATURED = [
    "sonari-wh7-review",
    "pour-over-starter-kit",
    "small-apartment-cleaning-guide",
    "velox-tempo-3-review",
]
