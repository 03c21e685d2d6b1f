"""Word lists and fixed parameters of the demo business: a home, garden and hardware retailer.

Plain data only; the generators in this package draw from it with a seeded generator.
"""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Category:
    """One product category: naming words, units, price band and yearly demand rhythm."""

    prefix: str
    name: str
    weight: float  # share of the assortment
    adjectives: tuple[str, ...]
    nouns: tuple[str, ...]  # items sold by the piece ("ea"), cheapest first
    bulk_unit: str | None  # "kg" or "m" for items sold by weight or length
    bulk_nouns: tuple[str, ...]
    bulk_share: float
    cost_range: tuple[float, float]  # EUR per piece; the noun places an item along it, log-evenly
    peak_day: int  # day of year with the highest demand
    amplitude: float  # strength of the yearly cycle (0 = flat)


CATEGORIES: tuple[Category, ...] = (
    Category(
        "BIK", "Bikes & Accessories", 0.08,
        ("Urban", "Trail", "Lightweight", "Carbon", "Commuter", "Folding", "Pro", "Kids"),
        ("Inner Tube", "Brake Pads", "Bike Light", "Chain", "Pedals", "Mudguard Set", "Pump", "Bike Lock",
         "Tyre", "Saddle", "Helmet", "City Bike"),
        None, (), 0.0, (3.0, 450.0), 140, 0.35,
    ),
    Category(
        "CAB", "Cables & Adapters", 0.09,
        ("Braided", "Shielded", "Flat", "Gold-Plated", "Slim", "Heavy-Duty", "Coiled", "Angled"),
        ("USB Cable", "Network Cable", "HDMI Cable", "Splitter", "Travel Adapter", "Charger",
         "Extension Lead", "Power Strip", "Cable Reel"),
        "m", ("Speaker Wire", "Coax Cable", "Cat6 Cable", "Twin Flex", "Installation Wire"), 0.25,
        (1.5, 40.0), 350, 0.1,
    ),
    Category(
        "GAR", "Garden", 0.10,
        ("Organic", "Premium", "Compact", "Ergonomic", "Weatherproof", "Classic", "Eco", "Deluxe"),
        ("Garden Gloves", "Watering Can", "Pruning Shears", "Rake", "Planter", "Sprinkler", "Hose Reel",
         "Wheelbarrow", "Hedge Trimmer", "Lawn Mower"),
        "kg", ("Potting Soil", "Lawn Seed", "Bark Mulch", "Fertiliser", "Garden Lime"), 0.3,
        (1.5, 250.0), 110, 0.6,
    ),
    Category(
        "HEA", "Heating & Climate", 0.06,
        ("Oil-Filled", "Ceramic", "Smart", "Quiet", "Portable", "Wall-Mounted", "Compact", "Eco"),
        ("Draught Excluder", "Radiator Valve", "Thermostat", "Heated Throw", "Fan Heater", "Convector",
         "Infrared Panel", "Radiator"),
        None, (), 0.0, (4.0, 300.0), 15, 0.7,
    ),
    Category(
        "TOO", "Hand Tools", 0.10,
        ("Forged", "Insulated", "Precision", "Magnetic", "Ratcheting", "Soft-Grip", "Professional",
         "Chrome Vanadium"),
        ("Utility Knife", "Tape Measure", "Chisel", "Screwdriver Set", "Pliers", "Clamp", "Hacksaw",
         "Spanner", "Hammer", "Spirit Level", "Socket Set"),
        None, (), 0.0, (2.0, 90.0), 120, 0.1,
    ),
    Category(
        "PWR", "Power Tools", 0.07,
        ("Cordless", "Brushless", "18V", "Compact", "Heavy-Duty", "Variable-Speed", "Pro", "Twin-Battery"),
        ("Heat Gun", "Multi-Tool", "Sander", "Jigsaw", "Battery Pack", "Drill Driver", "Angle Grinder",
         "Impact Driver", "Circular Saw"),
        None, (), 0.0, (15.0, 450.0), 345, 0.2,
    ),
    Category(
        "FAS", "Fasteners", 0.11,
        ("Stainless", "Galvanised", "Zinc-Plated", "Brass", "Self-Tapping", "Countersunk", "Hex",
         "Heavy-Duty"),
        ("Cable Ties", "Picture Hooks", "Wall Plugs", "Rivets", "Wood Screws", "Hinge", "Anchor Set",
         "Shelf Brackets", "Bolt Set"),
        "kg", ("Nails", "Washers", "Roofing Nails", "Staples", "Coach Screws"), 0.25,
        (0.5, 25.0), 130, 0.1,
    ),
    Category(
        "PAI", "Paint & Decor", 0.09,
        ("Matt", "Satin", "Gloss", "Quick-Dry", "Washable", "Scandinavian", "Heritage", "Anti-Mould"),
        ("Masking Tape", "Brush Set", "Filler", "Paint Roller", "Dust Sheet", "Primer", "Wallpaper",
         "Wood Stain", "Varnish", "Wall Paint"),
        None, (), 0.0, (2.0, 70.0), 135, 0.25,
    ),
    Category(
        "LIG", "Lighting", 0.08,
        ("Dimmable", "Warm-White", "Smart", "Vintage", "Motion-Sensor", "Solar", "Industrial", "Minimal"),
        ("LED Bulb", "Night Light", "String Lights", "Spotlight", "Desk Lamp", "Wall Light", "Floodlight",
         "Ceiling Light", "Floor Lamp"),
        None, (), 0.0, (2.0, 180.0), 320, 0.25,
    ),
    Category(
        "OUT", "Outdoor & Camping", 0.07,
        ("Waterproof", "Ultralight", "Insulated", "All-Season", "Family", "Trekking", "Pop-Up", "Rugged"),
        ("Gas Canister", "Head Torch", "Picnic Set", "Folding Chair", "Hammock", "Cool Box",
         "Camping Stove", "Backpack", "Sleeping Bag", "Tent"),
        "m", ("Paracord", "Guy Rope", "Mooring Rope", "Bungee Cord"), 0.15,
        (3.0, 350.0), 190, 0.5,
    ),
    Category(
        "KIT", "Kitchen & Home", 0.08,
        ("Non-Stick", "Stainless", "Bamboo", "Cast-Iron", "Stackable", "Dishwasher-Safe", "Nordic",
         "Everyday"),
        ("Chopping Board", "Mixing Bowl", "Storage Box", "Dish Rack", "Frying Pan", "Bin", "Kettle",
         "Toaster", "Saucepan", "Knife Block"),
        None, (), 0.0, (2.0, 150.0), 340, 0.2,
    ),
    Category(
        "PET", "Pet Supplies", 0.07,
        ("Grain-Free", "Senior", "Puppy", "Indoor", "Natural", "Hypoallergenic", "Chewy", "Reflective"),
        ("Dog Toy", "Food Bowl", "Collar", "Grooming Brush", "Dog Lead", "Cat Scratcher", "Pet Carrier",
         "Pet Bed"),
        "kg", ("Dog Food", "Cat Food", "Cat Litter", "Bird Seed", "Rabbit Hay"), 0.35,
        (1.5, 90.0), 180, 0.05,
    ),
)  # fmt: skip

# Cheap items sold by weight or length: EUR per kg or per metre.
BULK_COST_RANGE = (0.3, 12.0)

# Cable SKUs that carry a '/' like real ones do ("CAB/USB-C-1M"): (SKU part, display name).
SLASH_CONNECTORS = (
    ("USB-C", "USB-C"), ("USB-A", "USB-A"), ("HDMI", "HDMI"), ("DP", "DisplayPort"), ("RJ45", "Network"),
    ("LTG", "Lightning"),
)  # fmt: skip
SLASH_LENGTHS_M = (1, 2, 3, 5)

# (code, name, kind); the first is the central warehouse.
LOCATIONS: tuple[tuple[str, str, str], ...] = (
    ("DC-01", "Central Warehouse", "warehouse"),
    ("ST-01", "City Centre Store", "store"),
    ("ST-02", "Retail Park Store", "store"),
)

# Demand by weekday, Monday first: stores peak on Saturday, the warehouse ships on working days.
STORE_WEEKDAY_PROFILE = (0.80, 0.80, 0.85, 0.90, 1.10, 1.60, 0.95)
WAREHOUSE_WEEKDAY_PROFILE = (1.25, 1.25, 1.25, 1.25, 1.20, 0.45, 0.35)

SUPPLIER_STEMS = (
    "Nordic", "Alpine", "Baltic", "Rhine", "Atlas", "Meridian", "Summit", "Harbour", "Oak", "Granite",
    "Falcon", "Beacon", "Crown", "Delta", "Evergreen", "Frontier", "Global", "Horizon", "Iron", "Juniper",
    "Keystone", "Lakeside", "Maple", "Northstar", "Orion", "Pioneer", "Quantum", "Redwood", "Silverline",
    "Titan", "Unity", "Vanguard", "Westfield", "Zenith", "Brightway", "Cobalt", "Danube", "Elbe", "Fjord",
    "Highland", "Ivory", "Kestrel", "Linden", "Mosel", "Nova", "Polar", "Riverside", "Sterling", "Thames",
    "Vertex",
)  # fmt: skip
SUPPLIER_TRADES = (
    "Tools", "Supply", "Trading", "Industries", "Components", "Wholesale", "Distribution", "Hardware",
    "Manufacturing", "Imports", "Products", "Group", "Electrics", "Garden Supply",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class SupplierRegion:
    """Where a supplier ships from: sets its currency, legal form, mail domain and lead time."""

    weight: float
    currency: str
    legal_forms: tuple[str, ...]
    tld: str
    lead_time_range: tuple[int, int]  # days


SUPPLIER_REGIONS: tuple[SupplierRegion, ...] = (
    SupplierRegion(0.35, "EUR", ("B.V.", "GmbH"), "nl", (3, 10)),
    SupplierRegion(0.30, "EUR", ("GmbH", "S.r.l.", "S.A.", "AB", "Oy"), "eu", (7, 21)),
    SupplierRegion(0.10, "GBP", ("Ltd", "plc"), "co.uk", (10, 25)),
    SupplierRegion(0.10, "USD", ("Inc.", "LLC"), "com", (25, 45)),
    SupplierRegion(0.15, "USD", ("Co., Ltd.", "Ltd."), "com", (35, 60)),
)

# Demo exchange rates, units of currency per EUR; supplier prices are quoted in their own currency.
FX_PER_EUR = {"EUR": 1.0, "USD": 1.08, "GBP": 0.85}
