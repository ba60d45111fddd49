"""The targeting catalogue: places, interests, behaviours and demographics the simulator knows.

Fixed data (no randomness), so keys and ids are the same in every world; `/search` and
`targetingbrowse` read it (endpoints/targeting.py) and the ad set checks look ids up here
(graph_sim/references.py). Shapes follow Graph's targeting search answers (DECISIONS.md
"Targeting search and browse": the seeds only list the edges).
"""

from __future__ import annotations

from dataclasses import dataclass

# EU member states: the DSA rules (beneficiary and payor) apply to ads reaching them.
EU_COUNTRIES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    ]
)

# (code, name, population in millions — monthly active people we pretend to reach)
_COUNTRIES = [
    ("AT", "Austria", 7.1),
    ("BE", "Belgium", 9.1),
    ("BG", "Bulgaria", 4.9),
    ("HR", "Croatia", 2.9),
    ("CY", "Cyprus", 0.9),
    ("CZ", "Czech Republic", 8.0),
    ("DK", "Denmark", 4.6),
    ("EE", "Estonia", 1.0),
    ("FI", "Finland", 4.3),
    ("FR", "France", 52.0),
    ("DE", "Germany", 62.0),
    ("GR", "Greece", 7.8),
    ("HU", "Hungary", 7.2),
    ("IE", "Ireland", 3.9),
    ("IT", "Italy", 44.0),
    ("LV", "Latvia", 1.4),
    ("LT", "Lithuania", 2.1),
    ("LU", "Luxembourg", 0.5),
    ("MT", "Malta", 0.4),
    ("NL", "Netherlands", 14.0),
    ("PL", "Poland", 27.0),
    ("PT", "Portugal", 7.6),
    ("RO", "Romania", 13.0),
    ("SK", "Slovakia", 3.9),
    ("SI", "Slovenia", 1.5),
    ("ES", "Spain", 35.0),
    ("SE", "Sweden", 7.8),
    ("US", "United States", 250.0),
    ("CA", "Canada", 29.0),
    ("GB", "United Kingdom", 50.0),
    ("NO", "Norway", 4.2),
    ("CH", "Switzerland", 6.1),
    ("AU", "Australia", 20.0),
    ("NZ", "New Zealand", 3.9),
    ("JP", "Japan", 60.0),
    ("KR", "South Korea", 35.0),
    ("BR", "Brazil", 150.0),
    ("MX", "Mexico", 95.0),
    ("IN", "India", 420.0),
]

# (key, name, country code, population in millions)
_REGIONS = [
    ("3847", "California", "US", 30.0),
    ("3875", "New York", "US", 15.0),
    ("3886", "Texas", "US", 22.0),
    ("3852", "Florida", "US", 17.0),
    ("3856", "Illinois", "US", 9.5),
    ("1172", "Bavaria", "DE", 10.0),
    ("1173", "Berlin", "DE", 3.0),
    ("1179", "North Rhine-Westphalia", "DE", 14.0),
    ("1084", "Île-de-France", "FR", 9.5),
    ("1085", "Provence-Alpes-Côte d'Azur", "FR", 3.9),
    ("1137", "England", "GB", 42.0),
    ("1138", "Scotland", "GB", 4.1),
    ("1139", "Wales", "GB", 2.3),
    ("2412", "Ontario", "CA", 11.5),
    ("2413", "Quebec", "CA", 6.5),
    ("2591", "Tokyo", "JP", 10.0),
    ("2594", "Osaka", "JP", 6.5),
    ("1270", "Madrid", "ES", 5.0),
    ("1271", "Catalonia", "ES", 5.8),
    ("1300", "Lazio", "IT", 4.2),
    ("1301", "Lombardy", "IT", 7.3),
]

# (key, name, country code, region key, population in millions)
_CITIES = [
    ("2421836", "San Francisco", "US", "3847", 0.9),
    ("2420379", "Los Angeles", "US", "3847", 4.0),
    ("2421215", "San Diego", "US", "3847", 1.5),
    ("2490299", "New York", "US", "3875", 8.0),
    ("2490370", "Buffalo", "US", "3875", 0.3),
    ("2512641", "Austin", "US", "3886", 1.0),
    ("2513003", "Houston", "US", "3886", 2.3),
    ("2438841", "Miami", "US", "3852", 0.5),
    ("2438987", "Chicago", "US", "3856", 2.7),
    ("486489", "Munich", "DE", "1172", 1.5),
    ("484770", "Berlin", "DE", "1173", 3.6),
    ("485812", "Cologne", "DE", "1179", 1.0),
    ("298429", "Paris", "FR", "1084", 2.1),
    ("297512", "Marseille", "FR", "1085", 0.9),
    ("2395906", "London", "GB", "1137", 9.0),
    ("2395918", "Manchester", "GB", "1137", 0.6),
    ("2396130", "Edinburgh", "GB", "1138", 0.5),
    ("296875", "Toronto", "CA", "2412", 2.9),
    ("296890", "Montreal", "CA", "2413", 1.8),
    ("1035921", "Tokyo", "JP", "2591", 9.5),
    ("1035943", "Osaka", "JP", "2594", 2.7),
    ("774128", "Madrid", "ES", "1270", 3.3),
    ("774050", "Barcelona", "ES", "1271", 1.6),
    ("1195570", "Rome", "IT", "1300", 2.8),
    ("1195600", "Milan", "IT", "1301", 1.4),
    ("1009398", "Dublin", "IE", None, 1.2),
    ("1020230", "Amsterdam", "NL", None, 0.9),
]


@dataclass(frozen=True)
class Place:
    key: str
    name: str
    type: str  # country, region, city
    country_code: str
    population: int
    region: str | None = None
    region_id: str | None = None

    def json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "key": self.key,
            "name": self.name,
            "type": self.type,
            "country_code": self.country_code,
            "country_name": COUNTRIES[self.country_code].name,
            "supports_region": True,
            "supports_city": True,
        }
        if self.type == "city" and self.region is not None:
            out["region"] = self.region
            out["region_id"] = int(self.region_id or 0)
        return out


COUNTRIES: dict[str, Place] = {
    code: Place(code, name, "country", code, int(pop * 1_000_000)) for code, name, pop in _COUNTRIES
}
REGIONS: dict[str, Place] = {
    key: Place(key, name, "region", cc, int(pop * 1_000_000)) for key, name, cc, pop in _REGIONS
}
CITIES: dict[str, Place] = {
    key: Place(
        key,
        name,
        "city",
        cc,
        int(pop * 1_000_000),
        region=REGIONS[region].name if region else None,
        region_id=region,
    )
    for key, name, cc, region, pop in _CITIES
}


@dataclass(frozen=True)
class Category:
    """An interest, behaviour or demographic (a `flexible_spec` entry)."""

    id: str
    name: str
    type: str  # interests, behaviors, life_events, industries, family_statuses, income
    path: tuple[str, ...]
    lower: int
    upper: int
    topic: str | None = None
    description: str | None = None

    def json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "path": list(self.path),
            "audience_size_lower_bound": self.lower,
            "audience_size_upper_bound": self.upper,
        }
        if self.topic:
            out["topic"] = self.topic
        if self.description:
            out["description"] = self.description
        return out


def _cat(id_: str, name: str, kind: str, path: tuple[str, ...], millions: float, topic=None):
    lower = int(millions * 1_000_000)
    return Category(id_, name, kind, path, lower, int(lower * 1.18), topic)


_BIZ = ("Interests", "Business and industry")
_FOOD = ("Interests", "Food and drink")
_FIT = ("Interests", "Fitness and wellness")
_SHOP = ("Interests", "Shopping and fashion")
_TECH = ("Interests", "Technology")
_TRAVEL = ("Interests", "Travel")
_ENT = ("Interests", "Entertainment")
_SPORT = ("Interests", "Sports and outdoors")

CATEGORIES: dict[str, Category] = {
    c.id: c
    for c in [
        _cat("6003107902433", "Coffee", "interests", (*_FOOD, "Beverages"), 410, "Food and drink"),
        _cat(
            "6003346592981",
            "Coffeehouses",
            "interests",
            (*_FOOD, "Restaurants"),
            160,
            "Food and drink",
        ),
        _cat("6003659420716", "Espresso", "interests", (*_FOOD, "Beverages"), 38, "Food and drink"),
        _cat("6003030029655", "Tea", "interests", (*_FOOD, "Beverages"), 190, "Food and drink"),
        _cat("6003397425735", "Baking", "interests", (*_FOOD, "Cooking"), 220, "Food and drink"),
        _cat("6003012317397", "Veganism", "interests", (*_FOOD, "Diets"), 95, "Food and drink"),
        _cat(
            "6003277229526", "Craft beer", "interests", (*_FOOD, "Beverages"), 61, "Food and drink"
        ),
        _cat(
            "6003384248805", "Fitness and wellness", "interests", _FIT, 820, "Fitness and wellness"
        ),
        _cat("6003306084421", "Yoga", "interests", (*_FIT, "Yoga"), 260, "Fitness and wellness"),
        _cat(
            "6003277229527", "Running", "interests", (*_FIT, "Running"), 230, "Fitness and wellness"
        ),
        _cat(
            "6003348604581",
            "Online shopping",
            "interests",
            (*_SHOP, "Shopping"),
            1020,
            "Shopping and fashion",
        ),
        _cat(
            "6003456388203",
            "Fashion accessories",
            "interests",
            (*_SHOP, "Fashion accessories"),
            520,
            "Shopping and fashion",
        ),
        _cat(
            "6003346592982",
            "Sustainable fashion",
            "interests",
            (*_SHOP, "Clothing"),
            44,
            "Shopping and fashion",
        ),
        _cat(
            "6003985771306",
            "Small business",
            "interests",
            (*_BIZ, "Small business"),
            300,
            "Business and industry",
        ),
        _cat(
            "6003402305839",
            "Digital marketing",
            "interests",
            (*_BIZ, "Marketing"),
            180,
            "Business and industry",
        ),
        _cat(
            "6003279598823",
            "Entrepreneurship",
            "interests",
            (*_BIZ, "Entrepreneurship"),
            270,
            "Business and industry",
        ),
        _cat("6003020834693", "Software", "interests", (*_TECH, "Computers"), 190, "Technology"),
        _cat(
            "6003263791114",
            "Smartphones",
            "interests",
            (*_TECH, "Consumer electronics"),
            640,
            "Technology",
        ),
        _cat("6003371567474", "Video games", "interests", (*_ENT, "Games"), 720, "Entertainment"),
        _cat("6003139266461", "Movies", "interests", (*_ENT, "Movies"), 980, "Entertainment"),
        _cat("6003020834694", "Live music", "interests", (*_ENT, "Music"), 330, "Entertainment"),
        _cat("6003430696269", "Beaches", "interests", (*_TRAVEL, "Beaches"), 560, "Travel"),
        _cat(
            "6003018810146",
            "Adventure travel",
            "interests",
            (*_TRAVEL, "Adventure travel"),
            210,
            "Travel",
        ),
        _cat(
            "6003107902434",
            "Hiking",
            "interests",
            (*_SPORT, "Outdoor recreation"),
            240,
            "Sports and outdoors",
        ),
        _cat(
            "6003512053964",
            "Cycling",
            "interests",
            (*_SPORT, "Cycling"),
            200,
            "Sports and outdoors",
        ),
        _cat("6002714895372", "Frequent travelers", "behaviors", ("Behaviors", "Travel"), 370),
        _cat(
            "6015559470583",
            "Engaged shoppers",
            "behaviors",
            ("Behaviors", "Purchase behavior"),
            880,
        ),
        _cat(
            "6002714898572",
            "Small business owners",
            "behaviors",
            ("Behaviors", "Digital activities"),
            110,
        ),
        _cat(
            "6004037726009",
            "Technology early adopters",
            "behaviors",
            ("Behaviors", "Digital activities"),
            150,
        ),
        _cat("6017476616183", "Recently moved", "life_events", ("Demographics", "Life events"), 45),
        _cat(
            "6003050226972",
            "Newly engaged (6 months)",
            "life_events",
            ("Demographics", "Life events"),
            19,
        ),
        _cat(
            "6002714398172",
            "New parents (0-12 months)",
            "life_events",
            ("Demographics", "Parents"),
            27,
        ),
        _cat(
            "6012903159383",
            "Food and restaurant",
            "industries",
            ("Demographics", "Work", "Industries"),
            62,
        ),
        _cat(
            "6008888980183",
            "IT and technical services",
            "industries",
            ("Demographics", "Work", "Industries"),
            48,
        ),
        _cat("6012903140583", "Single", "family_statuses", ("Demographics", "Relationship"), 330),
        _cat("6012903168383", "Married", "family_statuses", ("Demographics", "Relationship"), 610),
        _cat(
            "6107813079183",
            "Top 10% of ZIP codes (US)",
            "income",
            ("Demographics", "Financial", "Income"),
            23,
        ),
    ]
}

# `flexible_spec` / `exclusions` keys whose ids live in this catalogue.
CATEGORY_KEYS = ("interests", "behaviors", "life_events", "industries", "family_statuses", "income")
# adTargetingCategory `class` values (the browse classes we model).
BROWSE_CLASSES = frozenset(CATEGORY_KEYS) | {"demographics"}
DEMOGRAPHIC_TYPES = frozenset({"life_events", "industries", "family_statuses", "income"})

# Everyone the simulator pretends Meta reaches (for audience size fractions).
WORLD_AUDIENCE = 3_000_000_000


def place(kind: str, key: str) -> Place | None:
    table = {"country": COUNTRIES, "region": REGIONS, "city": CITIES}[kind]
    return table.get(key)


def search_places(
    q: str, types: list[str], country_code: str | None = None, limit: int = 25
) -> list[Place]:
    """Places whose name (any word of it) starts with `q`, or whose key/code equals it;
    countries first, then regions, then cities, each by name."""
    needle = q.strip().casefold()
    out: list[Place] = []
    for kind, table in (("country", COUNTRIES), ("region", REGIONS), ("city", CITIES)):
        if kind not in types:
            continue
        hits = []
        for item in table.values():
            if country_code and item.country_code != country_code.upper():
                continue
            name = item.name.casefold()
            words = name.replace("-", " ").split()
            if (
                not needle
                or name.startswith(needle)
                or any(w.startswith(needle) for w in words)
                or item.key.casefold() == needle
            ):
                hits.append(item)
        out.extend(sorted(hits, key=lambda p: p.name))
    return out[:limit]


def search_categories(q: str, kinds: frozenset[str] | set[str]) -> list[Category]:
    needle = q.strip().casefold()
    hits = [
        c
        for c in CATEGORIES.values()
        if c.type in kinds and (not needle or needle in c.name.casefold())
    ]
    # Graph answers the most popular first.
    return sorted(hits, key=lambda c: (-c.upper, c.name))


def category_by_name(name: str) -> Category | None:
    folded = name.strip().casefold()
    return next((c for c in CATEGORIES.values() if c.name.casefold() == folded), None)
