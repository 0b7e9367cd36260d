"""The people and companies of the demo data, shared by every emulated vendor.

The Salesforce org holds them as Contacts, Leads and Accounts; the Microsoft and Google demo mailboxes hold the
same people as contacts and correspondents. The list is deterministic: the same people, in the same order, with
the same addresses and phone numbers on every call. Names are international, many of them non-ASCII, and a few
carry apostrophes and hyphens, because real address books do.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Literal

PersonKind = Literal["contact", "lead"]

#: The demo users who "know" people (their mailboxes hold them), in the order people are dealt to them.
DEMO_OWNERS = (
    "alex.morgan@example.com",
    "priya.shah@example.com",
    "zoe.lefevre@example.com",
    "sam.taylor@example.com",
    "alex.morgan@example.com",
    "priya.shah@example.com",
    "jordan.lee@example.com",
)
PEOPLE_COUNT = 300


@dataclass(frozen=True)
class DemoCompany:
    """A company: its name, web domain, country, city, street, postal code, industry and switchboard."""

    name: str
    domain: str
    country: str
    city: str
    street: str
    postal_code: str
    industry: str
    phone: str


@dataclass(frozen=True)
class DemoPerson:
    """A person of the demo data."""

    first_name: str
    last_name: str
    email: str
    phone: str
    mobile: str
    title: str
    company: str
    country: str
    city: str
    #: The address of the demo user who knows this person (whose mailbox and org records hold them).
    known_by: str
    #: Whether the org holds the person as a Contact (of an Account) or as a Lead.
    kind: PersonKind

    @property
    def name(self) -> str:
        """First and last name."""
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class _Country:
    name: str
    dialing: str
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    cities: tuple[str, ...]
    companies: tuple[tuple[str, str, str], ...]  # (name, domain suffix, industry)
    prospects: tuple[str, ...]


_COUNTRIES: tuple[_Country, ...] = (
    _Country(
        "Spain",
        "+34",
        ("José", "María", "Lucía", "Álvaro", "Iñigo", "Begoña", "Sofía", "Jesús", "Nuria", "Raúl"),
        ("Núñez", "García", "Fernández", "Muñoz", "Ibáñez", "López", "Martín", "Gómez", "Peña", "Sáez"),
        ("Madrid", "Barcelona", "Valencia", "Bilbao", "Sevilla"),
        (
            ("Iberia Logística", "es", "Transportation"),
            ("Solaria Energía Verde", "es", "Energy"),
            ("Mar Azul Hoteles", "es", "Hospitality"),
        ),
        ("Cerámicas del Turia", "Bodegas Albariño Norte", "Ortega Ingeniería"),
    ),
    _Country(
        "Sweden",
        "+46",
        ("Zoë", "Björn", "Åsa", "Linnéa", "Gösta", "Märta", "Erik", "Ingrid", "Sven", "Karin"),
        ("Ångström", "Lindqvist", "Sjöberg", "Åkesson", "Bergström", "Nyström", "Öberg", "Holm", "Dahl", "Ekström"),
        ("Stockholm", "Göteborg", "Malmö", "Uppsala"),
        (("Nordvik Maskin AB", "se", "Manufacturing"), ("Skärgård Telekom", "se", "Telecommunications")),
        ("Fjällström Design", "Öresund Analys"),
    ),
    _Country(
        "Poland",
        "+48",
        (
            "Łukasz",
            "Małgorzata",
            "Paweł",
            "Zofia",
            "Grzegorz",
            "Agnieszka",
            "Wojciech",
            "Katarzyna",
            "Michał",
            "Jadwiga",
        ),
        (
            "Wójcik",
            "Kowalczyk",
            "Zieliński",
            "Wiśniewska",
            "Dąbrowski",
            "Lewandowska",
            "Szymański",
            "Woźniak",
            "Kamińska",
            "Brzęczek",
        ),
        ("Warszawa", "Kraków", "Gdańsk", "Wrocław", "Łódź"),
        (("Wisła Software", "pl", "Technology"), ("Bałtyk Transport", "pl", "Transportation")),
        ("Mazowsze Agro", "Tatry Consulting"),
    ),
    _Country(
        "Denmark",
        "+45",
        ("Søren", "Mette", "Jørgen", "Astrid", "Frederik", "Signe", "Rasmus", "Birthe", "Mads", "Louise"),
        (
            "Kjærgaard",
            "Nørgaard",
            "Sørensen",
            "Møller",
            "Kierkegaard-Holm",
            "Jørgensen",
            "Lund",
            "Bæk",
            "Thygesen",
            "Østergaard",
        ),
        ("København", "Aarhus", "Odense", "Aalborg"),
        (("Havn & Bro Arkitekter", "dk", "Construction"), ("Nordlys Pharma", "dk", "Healthcare")),
        ("Vesterbro Medier", "Fyn Fødevarer"),
    ),
    _Country(
        "France",
        "+33",
        ("François", "Chloé", "Hélène", "Jérôme", "Amélie", "Benoît", "Léa", "Gaël", "Noémie", "Étienne"),
        (
            "Lefèvre-Dubois",
            "Moreau",
            "Girard",
            "Fontaine",
            "Rousseau",
            "Chevalier",
            "Lemaître",
            "Bérard",
            "Faure",
            "Mercier",
        ),
        ("Paris", "Lyon", "Toulouse", "Nantes", "Lille"),
        (
            ("Atelier Côté Seine", "fr", "Retail"),
            ("Garonne Aéronautique", "fr", "Engineering"),
            ("Banque du Rhône", "fr", "Banking"),
        ),
        ("Ciel & Vignes", "Bretagne Numérique", "Éditions Lumière"),
    ),
    _Country(
        "Germany",
        "+49",
        ("Jürgen", "Anja", "Björn", "Käthe", "Matthias", "Sabine", "Günther", "Lena", "Uwe", "Jörg"),
        ("Müller", "Schröder", "Weiß", "Groß", "Hoffmann", "Krüger", "Schäfer", "Bauer", "Köhler", "Fuchs"),
        ("Berlin", "München", "Hamburg", "Köln", "Frankfurt am Main"),
        (
            ("Rheinwerk Systeme GmbH", "de", "Technology"),
            ("Alpenglück Versicherung", "de", "Insurance"),
            ("Elbtal Chemie AG", "de", "Chemicals"),
        ),
        ("Spreewald Logistik", "Schwarzwald Uhren", "Nordsee Windkraft"),
    ),
    _Country(
        "Ireland",
        "+353",
        ("Seán", "Siobhán", "Aoife", "Pádraig", "Niamh", "Ciarán", "Órla", "Eoin", "Máire", "Darragh"),
        (
            "O'Connor",
            "Ó Briain",
            "Murphy",
            "Mac Giolla",
            "Byrne",
            "O'Sullivan",
            "Kavanagh",
            "Ní Bhriain",
            "Doyle",
            "Walsh",
        ),
        ("Dublin", "Cork", "Galway", "Limerick"),
        (("Liffey Data Centres", "ie", "Technology"), ("Atlantic Seafoods", "ie", "Agriculture")),
        ("Shannon Aviation Services", "Emerald Fintech"),
    ),
    _Country(
        "United Kingdom",
        "+44",
        ("Oliver", "Amelia", "Harry", "Isla", "George", "Freya", "Arthur", "Imogen", "Rhys", "Eleanor"),
        ("Smith", "Jones", "Taylor-Wood", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Roberts", "Hughes"),
        ("London", "Manchester", "Edinburgh", "Bristol", "Cardiff"),
        (
            ("Thames Valley Analytics", "co.uk", "Consulting"),
            ("Northern Rail Parts", "co.uk", "Manufacturing"),
            ("Highland Whisky Co", "co.uk", "Retail"),
        ),
        ("Kestrel Media", "Cotswold Foods", "Pennine Outdoor"),
    ),
    _Country(
        "United States",
        "+1",
        ("Emily", "Michael", "Jessica", "Daniel", "Ashley", "Christopher", "Madison", "Tyler", "Hannah", "Brandon"),
        ("Johnson", "Williams", "Miller", "Garcia", "Rodriguez", "Martinez", "Anderson", "Jackson", "White", "Harris"),
        ("San Francisco", "New York", "Chicago", "Austin", "Seattle"),
        (
            ("Golden Gate Robotics", "com", "Electronics"),
            ("Lakeshore Health Partners", "com", "Healthcare"),
            ("Lone Star Energy", "com", "Energy"),
            ("Pioneer Freight", "com", "Transportation"),
        ),
        ("Evergreen Labs", "Brooklyn Bakeworks", "Desert Sun Solar"),
    ),
    _Country(
        "Mexico",
        "+52",
        ("Ximena", "Jesús", "Guadalupe", "Iván", "Renée", "Andrés", "Mónica", "Rubén", "Adrián", "Itzel"),
        ("Hernández", "Pérez", "Sánchez", "Ramírez", "Cruz", "Jiménez", "Domínguez", "Vázquez", "Gutiérrez", "Núñez"),
        ("Ciudad de México", "Guadalajara", "Monterrey", "Puebla"),
        (("Grupo Maya Constructora", "com.mx", "Construction"), ("Café Tierra Alta", "com.mx", "Agriculture")),
        ("Telecom del Bajío", "Artesanías Oaxaca"),
    ),
    _Country(
        "Japan",
        "+81",
        ("Haruto", "Yui", "Sōta", "Aoi", "Ren", "Hina", "Yūki", "Sakura", "Kenji", "Mei"),
        ("Satō", "Suzuki", "Takahashi", "Tanaka", "Itō", "Watanabe", "Yamamoto", "Nakamura", "Kobayashi", "Katō"),
        ("Tōkyō", "Ōsaka", "Kyōto", "Yokohama"),
        (("Sakura Precision KK", "co.jp", "Electronics"), ("Fuji Kōgyō", "co.jp", "Manufacturing")),
        ("Shinkansen Media", "Hokkaidō Dairy"),
    ),
    _Country(
        "India",
        "+91",
        ("Priyanka", "Arjun", "Ananya", "Rohan", "Kavya", "Vikram", "Ishaan", "Meera", "Aditya", "Sneha"),
        ("Sharma", "Iyer", "Reddy", "Patel", "Nair", "Gupta", "Menon", "Chatterjee", "Rao", "Banerjee"),
        ("Bengaluru", "Mumbai", "Pune", "Chennai", "Hyderabad"),
        (
            ("Ganga Infotech", "in", "Technology"),
            ("Deccan Pharma", "in", "Healthcare"),
            ("Kaveri Textiles", "in", "Manufacturing"),
        ),
        ("Monsoon Analytics", "Malabar Spices"),
    ),
    _Country(
        "Brazil",
        "+55",
        ("João", "Ana Luísa", "Caio", "Júlia", "Luís", "Letícia", "Otávio", "Beatriz", "Vinícius", "Conceição"),
        (
            "Gonçalves",
            "Araújo",
            "Magalhães",
            "Simões",
            "Conceição",
            "Assunção",
            "Pereira",
            "Lima",
            "Carvalho",
            "Brandão",
        ),
        ("São Paulo", "Rio de Janeiro", "Belo Horizonte", "Curitiba", "Porto Alegre"),
        (("Amazônia Bioenergia", "com.br", "Energy"), ("Paulista Seguros", "com.br", "Insurance")),
        ("Café Serrano", "Ipanema Digital"),
    ),
    _Country(
        "Norway",
        "+47",
        ("Ola", "Kåre", "Åse", "Håkon", "Solveig", "Øystein", "Ingeborg", "Tor", "Ragnhild", "Eirik"),
        ("Haugen", "Bråten", "Løvås", "Ødegård", "Sæther", "Johansen", "Strøm", "Aas", "Bjørnstad", "Nygård"),
        ("Oslo", "Bergen", "Trondheim", "Stavanger"),
        (("Fjord Havbruk", "no", "Agriculture"), ("Nordkapp Energi", "no", "Energy")),
        ("Lofoten Reiser", "Bergen Maritime Tech"),
    ),
    _Country(
        "Switzerland",
        "+41",
        ("Lukas", "Mélanie", "Reto", "Chiara", "Noé", "Seraina", "Beat", "Léonie", "Urs", "Ladina"),
        ("Meier", "Zürcher", "Keller", "Gerber", "Bühler", "Rüegg", "Brändli", "Favre", "Aebischer", "Lüthi"),
        ("Zürich", "Genève", "Basel", "Bern", "Lausanne"),
        (("Matterhorn Präzision AG", "ch", "Engineering"), ("Léman Private Bank", "ch", "Finance")),
        ("Glarus Textil", "Ticino Gelati"),
    ),
)
_TITLES = (
    "Chief Executive Officer",
    "Chief Financial Officer",
    "VP Sales",
    "Head of Procurement",
    "Purchasing Manager",
    "IT Director",
    "Operations Manager",
    "Marketing Director",
    "Account Manager",
    "Project Manager",
    "Head of Partnerships",
    "Finance Manager",
    "CTO",
    "Customer Success Lead",
    "Supply Chain Analyst",
    "Office Manager",
    "Legal Counsel",
    "Product Owner",
    "Facilities Manager",
    "Business Analyst",
)
_STREETS = ("Main Street", "Market Square", "Harbour Road", "Station Road", "Park Avenue", "Riverside", "High Street")
#: People who must be in the data, whatever the generator picks: (country, first name, last name).
_FEATURED = (
    ("Spain", "José", "Núñez"),
    ("Sweden", "Zoë", "Ångström"),
    ("Poland", "Łukasz", "Wójcik"),
    ("Denmark", "Søren", "Kierkegaard-Holm"),
    ("Ireland", "Seán", "O'Connor"),
    ("France", "François", "Lefèvre-Dubois"),
    ("Germany", "Jürgen", "Müller"),
    ("Japan", "Sōta", "Takahashi"),
)
_SPECIAL_LETTERS = str.maketrans(
    {"ø": "o", "Ø": "O", "æ": "ae", "Æ": "Ae", "ł": "l", "Ł": "L", "ß": "ss", "đ": "d", "ı": "i", "œ": "oe"}
)


def ascii_fold(text: str) -> str:
    """``Łukasz Wójcik`` -> ``Lukasz Wojcik``: the letters an address can carry."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL_LETTERS))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _local_part(first: str, last: str) -> str:
    def clean(part: str) -> str:
        return "".join(c for c in ascii_fold(part).lower() if c.isalnum() or c == "-")

    return f"{clean(first)}.{clean(last)}"


def _phone(country: _Country, seed: int) -> str:
    digits = f"{10_000_000 + (seed * 2_654_435_761 + 12_345) % 90_000_000}"
    return f"{country.dialing} {digits[:2]} {digits[2:5]} {digits[5:]}"


def _slug(name: str) -> str:
    words = [w for w in ascii_fold(name).lower().replace("&", " ").split() if w not in {"ag", "ab", "gmbh", "kk", "co"}]
    return "-".join("".join(c for c in w if c.isalnum()) for w in words[:2])


@cache
def demo_companies() -> tuple[DemoCompany, ...]:
    """The demo companies (the org's Accounts), about 50 of them, in a fixed order."""
    companies = []
    for index, country in enumerate(_COUNTRIES):
        for position, (name, suffix, industry) in enumerate(country.companies):
            seed = index * 10 + position
            companies.append(
                DemoCompany(
                    name=name,
                    domain=f"{_slug(name)}.example.{suffix.split('.')[-1]}",
                    country=country.name,
                    city=country.cities[position % len(country.cities)],
                    street=f"{10 + seed * 3} {_STREETS[seed % len(_STREETS)]}",
                    postal_code=f"{(seed * 4231 + 10000) % 90000 + 10000}",
                    industry=industry,
                    phone=_phone(country, 500 + seed),
                )
            )
    # A few more customers per large market, so the org has about fifty accounts.
    extra = (
        ("United States", "Harborview Capital", "Finance"),
        ("United States", "Redwood Outdoor Supply", "Retail"),
        ("United States", "Blue Ridge Media", "Media"),
        ("United Kingdom", "Wessex Utilities", "Utilities"),
        ("Germany", "Bodensee Medizintechnik", "Healthcare"),
        ("France", "Provence Agrumes", "Agriculture"),
        ("India", "Himalaya Cloud Services", "Technology"),
        ("Brazil", "Recife Portos", "Transportation"),
        ("Japan", "Kōbe Steelworks", "Manufacturing"),
        ("Spain", "Canarias Turismo", "Hospitality"),
        ("Mexico", "Baja Telecom", "Telecommunications"),
        ("Sweden", "Lapland Timber", "Construction"),
        ("Ireland", "Wicklow Education Trust", "Education"),
        ("Switzerland", "Engadin Ski Resorts", "Hospitality"),
        ("Poland", "Mazury Energia", "Energy"),
        ("Denmark", "Jylland Vindmøller", "Energy"),
        ("Norway", "Svalbard Research Supply", "Government"),
    )
    by_name = {c.name: c for c in _COUNTRIES}
    for position, (country_name, name, industry) in enumerate(extra):
        country = by_name[country_name]
        seed = 300 + position
        tld = {"United States": "com", "United Kingdom": "uk"}.get(country_name, country.companies[0][1].split(".")[-1])
        companies.append(
            DemoCompany(
                name=name,
                domain=f"{_slug(name)}.example.{tld}",
                country=country.name,
                city=country.cities[(position + 2) % len(country.cities)],
                street=f"{5 + position * 7} {_STREETS[position % len(_STREETS)]}",
                postal_code=f"{(seed * 3571) % 90000 + 10000}",
                industry=industry,
                phone=_phone(country, seed),
            )
        )
    return tuple(companies)


@cache
def demo_people() -> tuple[DemoPerson, ...]:
    """The 300 demo people in a fixed order: contacts of the demo companies and leads at prospects."""
    companies_by_country: dict[str, list[DemoCompany]] = {}
    for company in demo_companies():
        companies_by_country.setdefault(company.country, []).append(company)
    by_name = {c.name: c for c in _COUNTRIES}
    chosen: list[tuple[_Country, str, str]] = [(by_name[c], f, last) for c, f, last in _FEATURED]
    seen = {(c.name, f, last) for c, f, last in chosen}
    index = 0
    while len(chosen) < PEOPLE_COUNT:
        country = _COUNTRIES[index % len(_COUNTRIES)]
        # Walks every (first, last) pair of the country once: k % 10 and (7k + k // 10) % 10 never repeat together.
        k = index // len(_COUNTRIES)
        first = country.first_names[k % len(country.first_names)]
        last = country.last_names[(k * 7 + k // 10) % len(country.last_names)]
        index += 1
        if (country.name, first, last) in seen or first == last:
            continue
        seen.add((country.name, first, last))
        chosen.append((country, first, last))
    people = []
    for position, (country, first, last) in enumerate(chosen):
        kind: PersonKind = "lead" if position % 5 == 4 else "contact"
        city = country.cities[position % len(country.cities)]
        if kind == "lead":
            company_name = country.prospects[position % len(country.prospects)]
            domain = f"{_slug(company_name)}.example.net"
        else:
            company = companies_by_country[country.name][position % len(companies_by_country[country.name])]
            company_name, domain, city = company.name, company.domain, company.city
        people.append(
            DemoPerson(
                first_name=first,
                last_name=last,
                email=f"{_local_part(first, last)}@{domain}",
                phone=_phone(country, position),
                mobile=_phone(country, position + 1000),
                title=_TITLES[(position * 7) % len(_TITLES)],
                company=company_name,
                country=country.name,
                city=city,
                known_by=DEMO_OWNERS[position % len(DEMO_OWNERS)],
                kind=kind,
            )
        )
    return tuple(people)
