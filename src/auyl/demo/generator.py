"""A deterministic, seeded generator of demo school registries (pure Python, no Django).

``generate_region(seed)`` builds the Aktobe region as the programme describes it
(``shared/domain/facts.md``): 424 schools of which 281 rural, about 200 small schools with
combined class-sets, 12 hub schools (the first, Bestamak in Alga district, with 770 pupils)
serving exactly 134 magnet schools, about 158,000 pupils with only a small share in rural
schools, and about 77% of schools meeting the internet norm. ``generate_region(seed,
schools=N)`` with N above 424 adds synthetic regions around Kazakhstan until the country has
N schools (7,700: the national scale), with about 68% rural schools, about half of them
small, and about 200 hubs.

Everything here is made up except the district centres (``data/aktobe_districts.csv``) and
the calibration figures. Settlement, school and teacher names are built from word lists so
they read like real Kazakh places and people; they are not real ones (Bestamak, Kumsai and
Karauylkeldy are the only real villages, placed approximately).

Invariants (checked by ``tests/test_demo_generator.py``):

- the same seed gives identical output, another seed a different one;
- school codes, teacher codes and district codes are unique;
- a magnet school names a hub school, usually the nearest, always within 140 km;
- every grade with pupils belongs to exactly one class-set of its school, and every grade
  of a class-set has pupils; a small school is a rural school with a combined class-set;
- a school with no internet has speed 0, any other a speed above 0.

The curriculum hours used to size teaching staff are an approximation for demo data only
(facts.md: the official weekly hours per subject were not obtained).
"""

from __future__ import annotations

import csv
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

GRADES = tuple(range(12))
DATA_DIR = Path(__file__).resolve().parent.parent / "data"

#: The region the programme runs in and its calibration (facts.md, HundrED/baq.kz/furo.kz).
AKTOBE_SCHOOLS = 424
AKTOBE_RURAL = 281
AKTOBE_SMALL = 200
AKTOBE_HUBS = 12
AKTOBE_MAGNETS = 134
AKTOBE_PUPILS = 158_000
#: facts.md says "about 9%" (2020); with 200 small schools and 12 hubs of 250+ pupils the
#: rural schools cannot hold fewer than about 10%, so the demo aims slightly higher.
AKTOBE_RURAL_PUPIL_SHARE = 0.11
AKTOBE_ADEQUATE_INTERNET = 0.774  # "77.4% of the schools got good internet"

#: Kazakhstan 2022/23 (facts.md): 7,687 schools, 68% rural, about 3.9 m pupils, 40% of
#: them in rural schools, about half the schools small; about 200 hubs by 2025.
NATIONAL_SCHOOLS = 7_687
NATIONAL_RURAL_SHARE = 5_260 / 7_687
NATIONAL_SMALL_SHARE = 0.5
NATIONAL_PUPILS = 3_900_000
NATIONAL_RURAL_PUPIL_SHARE = 0.40
NATIONAL_HUBS_PER_7700 = 200
NATIONAL_ADEQUATE_INTERNET = 0.696  # 69.6% met the norm at end-2023
MAGNETS_PER_HUB = 134 / 12

MAX_MAGNET_KM = 140.0

# The internet norm, as in ``auyl.engines.norms`` (duplicated so this module stays
# standalone; the tests check the two agree).
_NORM_BASE_MBPS, _NORM_BASE_PLACES, _NORM_PUPILS_PER_MBPS = 20.0, 400, 20


def norm_mbps(pupils: int) -> float:
    """The bandwidth the national norm asks of a school with ``pupils`` pupils."""
    return _NORM_BASE_MBPS + max(0, pupils - _NORM_BASE_PLACES) / _NORM_PUPILS_PER_MBPS


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


# --- Output ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OblastSpec:
    """A region (oblast): Aktobe, or a synthetic one at national scale."""

    code: str
    name_kk: str
    name_ru: str


@dataclass(frozen=True)
class DistrictSpec:
    code: str
    region_code: str
    name_kk: str
    name_ru: str
    name_en: str
    centre_lat: float
    centre_lon: float


@dataclass(frozen=True)
class SchoolSpec:
    """One school, with everything the registry keeps about it.

    ``enrolment`` maps grade to pupils and lists only grades with pupils; ``class_sets`` is a
    tuple of ``(name, grades)``; ``devices`` a tuple of ``(kind, condition, count)`` with
    distinct ``(kind, condition)`` pairs and counts above 0.
    """

    code: str
    district_code: str
    name_kk: str
    name_ru: str
    settlement_kk: str
    settlement_ru: str
    locality: str  # "rural" | "urban"
    language: str  # "kk" | "ru" | "mixed"
    network_role: str  # "none" | "hub" | "magnet"
    hub_code: str | None
    latitude: float
    longitude: float
    enrolment: dict[int, int]
    class_sets: tuple[tuple[str, tuple[int, ...]], ...]
    internet_type: str  # Infrastructure.InternetType values
    internet_mbps: float
    electricity: str  # Infrastructure.Electricity values
    rooms: int
    computer_lab: bool
    science_lab: bool
    stem_lab: bool
    devices: tuple[tuple[str, str, int], ...]

    @property
    def pupils(self) -> int:
        return sum(self.enrolment.values())

    @property
    def is_small(self) -> bool:
        """A small school: rural, with at least one combined class-set."""
        return self.locality == "rural" and any(len(g) > 1 for _, g in self.class_sets)

    @property
    def internet_adequate(self) -> bool:
        return self.internet_mbps > 0 and self.internet_mbps >= norm_mbps(self.pupils)


@dataclass(frozen=True)
class TeacherSpec:
    """A teacher: main school, qualified subjects, and what they teach where."""

    code: str
    full_name: str
    school_code: str
    subjects: tuple[str, ...]
    weekly_hours: int
    assignments: tuple[tuple[str, str], ...]  # (school_code, subject_code)


@dataclass(frozen=True)
class DemoAccount:
    """A demo login. ``school`` names a landmark of :attr:`RegionSpec.landmarks`."""

    username: str
    role: str  # accounts.models.Role values
    first_name: str
    last_name: str
    is_superuser: bool = False
    district: str | None = None  # district code
    school: str | None = None  # landmark key


@dataclass(frozen=True)
class RegionSpec:
    """A generated registry: the Aktobe region, or the whole country at national scale."""

    seed: int
    oblasts: tuple[OblastSpec, ...]
    districts: tuple[DistrictSpec, ...]
    schools: tuple[SchoolSpec, ...]
    teachers: tuple[TeacherSpec, ...]
    landmarks: dict[str, str]  # "bestamak", "kumsai", "karauylkeldy" -> school code

    def summary(self) -> dict[str, float]:
        """Headline figures, for progress messages and benchmarks."""
        pupils = sum(s.pupils for s in self.schools)
        rural_pupils = sum(s.pupils for s in self.schools if s.locality == "rural")
        n = len(self.schools)
        return {
            "regions": len(self.oblasts),
            "districts": len(self.districts),
            "schools": n,
            "rural": sum(s.locality == "rural" for s in self.schools),
            "small": sum(s.is_small for s in self.schools),
            "hubs": sum(s.network_role == "hub" for s in self.schools),
            "magnets": sum(s.network_role == "magnet" for s in self.schools),
            "pupils": pupils,
            "rural_pupil_share": round(rural_pupils / pupils, 3) if pupils else 0.0,
            "adequate_internet_share": (
                round(sum(s.internet_adequate for s in self.schools) / n, 3) if n else 0.0
            ),
            "teachers": len(self.teachers),
            "assignments": sum(len(t.assignments) for t in self.teachers),
        }


DEMO_PASSWORD = "auyl-demo-2024"
DEMO_REGION_CODE = "aktobe-demo"

#: The demo logins (one shared password, printed on the console: it is a demo).
DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("admin", "region_admin", "Дана", "Серікбаева", is_superuser=True),
    DemoAccount("methodologist", "methodologist", "Айгерім", "Жұмабаева", district="alga"),
    DemoAccount("hub", "hub_coordinator", "Нұрлан", "Оспанов", school="bestamak"),
    DemoAccount("principal", "principal", "Болат", "Қасымов", school="kumsai"),
    DemoAccount("teacher", "teacher", "Сәуле", "Ахметова", school="kumsai"),
)


# --- Word lists ------------------------------------------------------------------------

# Settlement names: an adjective or number and a landscape word, (Kazakh, Russian).
_PLACE_HEADS = (
    ("Қара", "Кара"), ("Ақ", "Ак"), ("Көк", "Кок"), ("Сары", "Сары"), ("Қызыл", "Кызыл"),
    ("Алтын", "Алтын"), ("Жаңа", "Жана"), ("Бес", "Бес"), ("Қос", "Кос"), ("Тас", "Тас"),
    ("Ащы", "Ащы"), ("Үш", "Уш"), ("Шұбар", "Шубар"), ("Терең", "Терен"), ("Жалғыз", "Жалгыз"),
    ("Құм", "Кум"), ("Бай", "Бай"), ("Шилі", "Шили"), ("Талды", "Талды"), ("Ойсыл", "Ойсыл"),
)  # fmt: skip
_PLACE_TAILS = (
    ("бұлақ", "булак"), ("сай", "сай"), ("жар", "жар"), ("тал", "тал"), ("төбе", "тобе"),
    ("құдық", "кудук"), ("көл", "коль"), ("қамыс", "камыс"), ("тау", "тау"), ("ағаш", "агаш"),
    ("шоқы", "шокы"), ("өзек", "озек"), ("терек", "терек"), ("құм", "кум"), ("арық", "арык"),
    ("дала", "дала"), ("жол", "жол"), ("бел", "бел"), ("су", "су"), ("бастау", "бастау"),
    ("тоғай", "тогай"), ("қопа", "копа"), ("адыр", "адыр"), ("кемер", "кемер"),
    ("шағыл", "шагыл"), ("қақ", "как"), ("үйрек", "уйрек"), ("қайың", "каин"),
)  # fmt: skip
_PLACE_WHOLE = (
    ("Тамды", "Тамды"), ("Ебейті", "Ебейты"), ("Көтібар батыр", "Котибар батыр"),
    ("Жанқожа батыр", "Жанкожа батыр"), ("Ақкемер", "Аккемер"), ("Саралжын", "Саралжин"),
    ("Бөрте", "Бурте"), ("Қопа", "Копа"), ("Ноғайты", "Ногайты"), ("Есет батыр", "Есет батыр"),
)  # fmt: skip
_RESERVED_PLACES = {"Бестамақ", "Құмсай", "Қарауылкелді"}

_MALE_KK = (
    ("Нұрлан", "Нурлан"), ("Асқар", "Аскар"), ("Ерлан", "Ерлан"), ("Бауыржан", "Бауыржан"),
    ("Серік", "Серик"), ("Қайрат", "Кайрат"), ("Дәурен", "Даурен"), ("Ержан", "Ержан"),
    ("Арман", "Арман"), ("Марат", "Марат"), ("Болат", "Болат"), ("Ғалым", "Галым"),
    ("Нұрбол", "Нурбол"), ("Мұрат", "Мурат"), ("Талғат", "Талгат"), ("Жандос", "Жандос"),
    ("Бекзат", "Бекзат"), ("Азамат", "Азамат"), ("Әлібек", "Алибек"), ("Саят", "Саят"),
    ("Берік", "Берик"), ("Ақылбек", "Акылбек"), ("Думан", "Думан"), ("Ерболат", "Ерболат"),
)  # fmt: skip
_FEMALE_KK = (
    ("Айгерім", "Айгерим"), ("Сәуле", "Сауле"), ("Гүлнар", "Гульнар"), ("Дана", "Дана"),
    ("Жанар", "Жанар"), ("Әсем", "Асем"), ("Ботагөз", "Ботагоз"), ("Назгүл", "Назгуль"),
    ("Айнұр", "Айнур"), ("Гүлмира", "Гульмира"), ("Мөлдір", "Молдир"), ("Салтанат", "Салтанат"),
    ("Ақмарал", "Акмарал"), ("Жұлдыз", "Жулдыз"), ("Динара", "Динара"), ("Меруерт", "Меруерт"),
    ("Роза", "Роза"), ("Алия", "Алия"), ("Ләззат", "Ляззат"), ("Шынар", "Шынар"),
    ("Бибігүл", "Бибигуль"), ("Гүлжан", "Гульжан"), ("Арайлым", "Арайлым"), ("Әйгерім", "Айгерим"),
)  # fmt: skip
# Surnames in the masculine form; the feminine adds "а" (-ов/-ев/-ин -> -ова/-ева/-ина).
_SURNAMES_KK = (
    ("Серікбаев", "Серикбаев"), ("Жұмабаев", "Жумабаев"), ("Оспанов", "Оспанов"),
    ("Қасымов", "Касымов"), ("Ахметов", "Ахметов"), ("Нұрланов", "Нурланов"),
    ("Төлеуов", "Толеуов"), ("Исаев", "Исаев"), ("Сәрсенов", "Сарсенов"),
    ("Бекмұхамбетов", "Бекмухамбетов"), ("Әбілов", "Абилов"), ("Құдайбергенов", "Кудайбергенов"),
    ("Есенов", "Есенов"), ("Жақсылықов", "Жаксылыков"), ("Мұқанов", "Муканов"),
    ("Байжанов", "Байжанов"), ("Тоқтаров", "Токтаров"), ("Қалиев", "Калиев"),
    ("Омаров", "Омаров"), ("Ермеков", "Ермеков"), ("Мырзахметов", "Мырзахметов"),
    ("Өтегенов", "Утегенов"), ("Дәулетов", "Даулетов"), ("Кенжебаев", "Кенжебаев"),
    ("Сейітов", "Сеитов"), ("Әлиев", "Алиев"), ("Нұрғалиев", "Нургалиев"), ("Елеуов", "Елеуов"),
    ("Тасмағамбетов", "Тасмагамбетов"), ("Ысқақов", "Искаков"), ("Бисенов", "Бисенов"),
    ("Шәкенов", "Шакенов"), ("Жолдасбаев", "Жолдасбаев"), ("Ибраев", "Ибраев"),
)  # fmt: skip
_MALE_RU = ("Сергей", "Александр", "Владимир", "Николай", "Андрей", "Виктор", "Игорь", "Юрий")
_FEMALE_RU = (
    "Светлана", "Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Людмила", "Галина", "Марина",
)  # fmt: skip
_FATHERS_RU = (
    ("Петрович", "Петровна"), ("Иванович", "Ивановна"), ("Николаевич", "Николаевна"),
    ("Сергеевич", "Сергеевна"), ("Александрович", "Александровна"), ("Викторович", "Викторовна"),
    ("Владимирович", "Владимировна"), ("Юрьевич", "Юрьевна"),
)  # fmt: skip
_SURNAMES_RU = (
    "Иванов", "Ковалев", "Смирнов", "Кузнецов", "Попов", "Васильев", "Морозов", "Волков",
    "Лебедев", "Федоров", "Соколов", "Павлов", "Никитин", "Захаров", "Белов", "Орлов",
)  # fmt: skip

_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        (
            "a", "b", "v", "g", "d", "e", "yo", "zh", "z", "i", "y", "k", "l", "m", "n", "o",
            "p", "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e",
            "yu", "ya",
        ),
        strict=True,
    )
)  # fmt: skip


def _translit(text: str) -> str:
    out = []
    for ch in text:
        low = ch.lower()
        rep = _TRANSLIT.get(low, ch)
        out.append(rep.capitalize() if ch != low else rep)
    return "".join(out)


def _slug(text: str) -> str:
    s = "".join(c if c.isalnum() else "-" for c in _translit(text).lower())
    return "-".join(p for p in s.split("-") if p)


def ru_adjective(name: str) -> str | None:
    """Russian feminine adjective of a settlement ("Бестамак" -> "Бестамакская").

    None for a name of several words, which has no adjective form.
    """
    if " " in name or "-" in name:
        return None
    if name[-1] in "аыеиоя":
        return name[:-1] + "инская"
    return name + "ская"


# --- School names ----------------------------------------------------------------------

_LEVEL_KK = {
    "full": "жалпы білім беретін мектебі",
    "basic": "негізгі орта мектебі",
    "primary": "бастауыш мектебі",
}
_LEVEL_RU = {
    "full": "общеобразовательная школа",
    "basic": "основная средняя школа",
    "primary": "начальная школа",
}


def _village_school_names(kk: str, ru: str, level: str, number: int | None) -> tuple[str, str]:
    no = f" №{number}" if number else ""
    name_kk = f"{kk}{no} {_LEVEL_KK[level]}"
    adj = ru_adjective(ru)
    if adj:
        name_ru = f"{adj} {_LEVEL_RU[level]}{no}"
    else:
        name_ru = f"{_LEVEL_RU[level].capitalize()}{no} с. {ru}"
    return name_kk, name_ru


def _city_school_names(rng: random.Random, number: int) -> tuple[str, str]:
    r = rng.random()
    if r < 0.15:
        return f"№{number} мектеп-гимназия", f"Школа-гимназия №{number}"
    if r < 0.23:
        return f"№{number} мектеп-лицей", f"Школа-лицей №{number}"
    return f"№{number} жалпы білім беретін мектеп", f"Общеобразовательная школа №{number}"


# --- Plans: how many schools of which kind go where ----------------------------------------


@dataclass
class _Town:
    kk: str
    ru: str
    lat: float
    lon: float
    schools: int
    is_city: bool = False


@dataclass
class _DistrictPlan:
    code: str
    name_kk: str
    name_ru: str
    name_en: str
    centre_kk: str
    centre_ru: str
    lat: float
    lon: float
    towns: list[_Town]
    centre_is_town: bool = False
    hubs: int = 0
    centre_schools: int = 0  # large rural schools in a village district centre
    small: int = 0
    mid: int = 0
    scatter_km: float = 100.0


@dataclass
class _OblastPlan:
    code: str
    name_kk: str
    name_ru: str
    prefix: str
    districts: list[_DistrictPlan]
    kk_share: float  # share of Kazakh-medium schools
    pupils: int
    rural_pupil_share: float
    adequate_share: float
    magnets: int
    # size weights of the rural schools that share the region's rural pupils
    hub_weight: float
    centre_weight: float


# Aktobe: (district_en) -> code, Kazakh name, centre (kk, ru), rural schools, towns.
# Rural counts add up to 281, urban ones to 143 (Aktobe city 124 + seven towns).
_AKTOBE = {
    "Aktobe city": ("aktobe-city", "Ақтөбе қаласы", ("Ақтөбе", "Актобе"), 0),
    "Aiteke bi": ("aiteke-bi", "Әйтеке би ауданы", ("Темірбек Жүргенов", "Темирбек Жургенов"), 24),
    "Alga": ("alga", "Алға ауданы", ("Алға", "Алга"), 26),
    "Bayganin": ("bayganin", "Байғанин ауданы", ("Қарауылкелді", "Карауылкельды"), 20),
    "Irgiz": ("irgiz", "Ырғыз ауданы", ("Ырғыз", "Иргиз"), 16),
    "Kargaly": ("kargaly", "Қарғалы ауданы", ("Бадамша", "Бадамша"), 22),
    "Khromtau": ("khromtau", "Хромтау ауданы", ("Хромтау", "Хромтау"), 24),
    "Kobda": ("kobda", "Қобда ауданы", ("Қобда", "Кобда"), 24),
    "Martuk": ("martuk", "Мәртөк ауданы", ("Мәртөк", "Мартук"), 30),
    "Mugalzhar": ("mugalzhar", "Мұғалжар ауданы", ("Қандыағаш", "Кандыагаш"), 28),
    "Shalkar": ("shalkar", "Шалқар ауданы", ("Шалқар", "Шалкар"), 27),
    "Temir": ("temir", "Темір ауданы", ("Шұбарқұдық", "Шубаркудук"), 22),
    "Uil": ("uil", "Ойыл ауданы", ("Ойыл", "Уил"), 18),
}  # fmt: skip
# The towns (urban schools outside Aktobe city). None for lat/lon: the district centre.
# Embi, Zhem and Temir coordinates are approximate.
_AKTOBE_TOWNS: dict[str, list[tuple[str, str, float | None, float | None, int]]] = {
    "aktobe-city": [("Ақтөбе", "Актобе", None, None, 124)],
    "alga": [("Алға", "Алга", None, None, 3)],
    "khromtau": [("Хромтау", "Хромтау", None, None, 4)],
    "mugalzhar": [
        ("Қандыағаш", "Кандыагаш", None, None, 4),
        ("Ембі", "Эмба", 48.8267, 58.1442, 2),
        ("Жем", "Жем", 48.7800, 58.0600, 1),
    ],
    "shalkar": [("Шалқар", "Шалкар", None, None, 3)],
    "temir": [("Темір", "Темир", 49.1413, 57.1286, 2)],
}
# How far villages lie from their district centre: about the radius of a disc of the
# district's area (approximate areas, km²), at most 100 km.
_AKTOBE_AREA_KM2 = {
    "aiteke-bi": 25_800, "alga": 6_600, "bayganin": 22_800, "irgiz": 39_000,
    "kargaly": 10_800, "khromtau": 13_200, "kobda": 9_100, "martuk": 8_300,
    "mugalzhar": 29_600, "shalkar": 34_000, "temir": 18_800, "uil": 11_200,
}  # fmt: skip
# Real villages placed by hand (approximate coordinates).
_BESTAMAK = ("Бестамақ", "Бестамак", 50.02, 57.52, 770, 27)  # the first hub (Jan 2023)
_KUMSAI = ("Құмсай", "Кумсай", 49.41, 57.96)  # a magnet of Bestamak, 100 km from Khromtau


def read_aktobe_districts(path: Path | None = None) -> list[dict[str, str]]:
    """The district centres of the Aktobe region, from ``data/aktobe_districts.csv``."""
    with open(path or DATA_DIR / "aktobe_districts.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _allocate(total: int, weights: Sequence[float], caps: Sequence[int] | None = None) -> list[int]:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder),
    never above ``caps``; gives less than ``total`` only if the caps add up to less."""
    n = len(weights)
    cap = list(caps) if caps is not None else [total] * n
    out = [0] * n
    remaining = max(0, total)
    active = [i for i in range(n) if cap[i] > 0 and weights[i] > 0]
    while remaining > 0 and active:
        wsum = sum(weights[i] for i in active)
        shares = {i: remaining * weights[i] / wsum for i in active}
        given = 0
        for i in active:
            add = min(int(shares[i]), cap[i] - out[i])
            out[i] += add
            given += add
        remaining -= given
        if given == 0:
            for i in sorted(active, key=lambda i: (-(shares[i] - int(shares[i])), i)):
                if remaining == 0:
                    break
                if out[i] < cap[i]:
                    out[i] += 1
                    remaining -= 1
        active = [i for i in active if out[i] < cap[i]]
    return out


def _aktobe_plan() -> _OblastPlan:
    districts: list[_DistrictPlan] = []
    avail: list[int] = []  # rural schools that are neither hub nor centre school
    for row in read_aktobe_districts():
        code, name_kk, (centre_kk, centre_ru), rural = _AKTOBE[row["district_en"]]
        lat, lon = float(row["lat"]), float(row["lon"])
        is_city = code == "aktobe-city"
        towns = [
            _Town(kk, ru, tlat or lat, tlon or lon, n, is_city=is_city)
            for kk, ru, tlat, tlon, n in _AKTOBE_TOWNS.get(code, [])
        ]
        name_ru = row["district_ru"] if is_city else f"{row['district_ru']} район"
        centre_is_town = any(t.kk == centre_kk for t in towns)
        districts.append(
            _DistrictPlan(
                code=code,
                name_kk=name_kk,
                name_ru=name_ru,
                name_en=row["district_en"] + ("" if is_city else " district"),
                centre_kk=centre_kk,
                centre_ru=centre_ru,
                lat=lat,
                lon=lon,
                towns=towns,
                centre_is_town=centre_is_town,
                hubs=1 if rural else 0,
                centre_schools=1 if rural and not centre_is_town else 0,
                scatter_km=min(100.0, math.sqrt(_AKTOBE_AREA_KM2.get(code, 0) / math.pi)),
            )
        )
        avail.append(max(0, rural - districts[-1].hubs - districts[-1].centre_schools))
    for d, small, a in zip(districts, _allocate(AKTOBE_SMALL, avail, avail), avail, strict=True):
        d.small, d.mid = small, a - small
    return _OblastPlan(
        code=DEMO_REGION_CODE,
        name_kk="Ақтөбе облысы (демо)",
        name_ru="Актюбинская область (демо)",
        prefix="AKT",
        districts=districts,
        kk_share=0.8,
        pupils=AKTOBE_PUPILS,
        rural_pupil_share=AKTOBE_RURAL_PUPIL_SHARE,
        adequate_share=AKTOBE_ADEQUATE_INTERNET,
        magnets=AKTOBE_MAGNETS,
        hub_weight=3.0,
        centre_weight=2.2,
    )


# Synthetic regions for the national scale: slug, names, capital (kk, ru), capital lat/lon,
# school-code prefix, relative size (about the real school counts), share of rural schools,
# share of Kazakh-medium schools. Capitals' coordinates are approximate.
_OBLASTS = (
    ("abai", "Абай облысы", "Абайская область", ("Семей", "Семей"),
     50.41, 80.23, "ABA", 400, 0.72, 0.75),
    ("akmola", "Ақмола облысы", "Акмолинская область", ("Көкшетау", "Кокшетау"),
     53.28, 69.39, "AKM", 580, 0.82, 0.45),
    ("almaty", "Алматы облысы", "Алматинская область", ("Қонаев", "Конаев"),
     43.87, 77.07, "ALM", 750, 0.85, 0.8),
    ("atyrau", "Атырау облысы", "Атырауская область", ("Атырау", "Атырау"),
     47.10, 51.92, "ATY", 200, 0.6, 0.95),
    ("west-kazakhstan", "Батыс Қазақстан облысы", "Западно-Казахстанская область",
     ("Орал", "Уральск"),
     51.23, 51.37, "ZKO", 390, 0.8, 0.8),
    ("zhambyl", "Жамбыл облысы", "Жамбылская область", ("Тараз", "Тараз"),
     42.90, 71.37, "ZHA", 470, 0.78, 0.85),
    ("zhetisu", "Жетісу облысы", "Область Жетісу", ("Талдықорған", "Талдыкорган"),
     45.02, 78.37, "ZHT", 330, 0.75, 0.8),
    ("karaganda", "Қарағанды облысы", "Карагандинская область", ("Қарағанды", "Караганда"),
     49.80, 73.10, "KAR", 500, 0.45, 0.5),
    ("kostanay", "Қостанай облысы", "Костанайская область", ("Қостанай", "Костанай"),
     53.21, 63.63, "KOS", 550, 0.8, 0.4),
    ("kyzylorda", "Қызылорда облысы", "Кызылординская область", ("Қызылорда", "Кызылорда"),
     44.85, 65.51, "KYZ", 300, 0.7, 0.97),
    ("mangystau", "Маңғыстау облысы", "Мангистауская область", ("Ақтау", "Актау"),
     43.65, 51.17, "MAN", 150, 0.35, 0.95),
    ("pavlodar", "Павлодар облысы", "Павлодарская область", ("Павлодар", "Павлодар"),
     52.29, 76.97, "PAV", 380, 0.7, 0.45),
    ("north-kazakhstan", "Солтүстік Қазақстан облысы", "Северо-Казахстанская область",
     ("Петропавл", "Петропавловск"),
     54.87, 69.15, "SKO", 470, 0.85, 0.3),
    ("turkistan", "Түркістан облысы", "Туркестанская область", ("Түркістан", "Туркестан"),
     43.30, 68.25, "TUR", 1000, 0.8, 0.9),
    ("ulytau", "Ұлытау облысы", "Область Ұлытау", ("Жезқазған", "Жезказган"),
     47.78, 67.71, "ULY", 90, 0.5, 0.85),
    ("east-kazakhstan", "Шығыс Қазақстан облысы", "Восточно-Казахстанская область",
     ("Өскемен", "Усть-Каменогорск"),
     49.95, 82.61, "VKO", 600, 0.7, 0.5),
)  # fmt: skip

LAT_RANGE, LON_RANGE = (41.0, 55.0), (50.0, 85.0)


def _clamp(x: float, lo_hi: tuple[float, float]) -> float:
    return min(max(x, lo_hi[0]), lo_hi[1])


def _scatter(
    rng: random.Random, lat: float, lon: float, r_min: float, r_max: float
) -> tuple[float, float]:
    """A point between ``r_min`` and ``r_max`` km from (lat, lon), uniform over the ring."""
    r = math.sqrt(rng.uniform(r_min * r_min, r_max * r_max))
    theta = rng.uniform(0.0, 2 * math.pi)
    dlat = r * math.cos(theta) / 111.2
    dlon = r * math.sin(theta) / (111.2 * math.cos(math.radians(lat)))
    return round(lat + dlat, 5), round(lon + dlon, 5)


def _place_name(rng: random.Random, used: set[str], whole_p: float = 0.04) -> tuple[str, str]:
    """A settlement name unique within ``used`` (Kazakh names), added to it."""
    for attempt in range(200):
        if rng.random() < whole_p and attempt < 5:
            kk, ru = rng.choice(_PLACE_WHOLE)
        else:
            (hk, hr), (tk, tr) = rng.choice(_PLACE_HEADS), rng.choice(_PLACE_TAILS)
            if hk.lower() == tk:
                continue
            kk, ru = hk + tk, hr + tr
        if kk not in used and kk not in _RESERVED_PLACES:
            used.add(kk)
            return kk, ru
    n = len(used) + 1  # word lists exhausted: number the settlement
    used.add(f"{n}-ауыл")
    return f"{n}-ауыл", f"Аул №{n}"


def _synthetic_plans(rng: random.Random, schools: int) -> list[_OblastPlan]:
    """Regions that, with Aktobe, make ``schools`` schools at national proportions."""
    extra = schools - AKTOBE_SCHOOLS
    if extra <= 0:
        return []
    rural_total = min(extra, max(0, round(NATIONAL_RURAL_SHARE * schools) - AKTOBE_RURAL))
    small_total = max(0, round(NATIONAL_SMALL_SHARE * schools) - AKTOBE_SMALL)
    hub_total = max(0, round(NATIONAL_HUBS_PER_7700 * schools / 7700) - AKTOBE_HUBS)
    # the national averages: about 507 pupils a school, 40% of them in rural schools
    pupils_total = round(NATIONAL_PUPILS / NATIONAL_SCHOOLS * extra)
    rural_pupils = NATIONAL_RURAL_PUPIL_SHARE * pupils_total

    sizes = [o[7] for o in _OBLASTS]
    n_r = _allocate(extra, sizes)
    rural_weights = [size * o[8] for size, o in zip(sizes, _OBLASTS, strict=True)]
    rural_r = _allocate(rural_total, rural_weights, [max(0, n - 1) for n in n_r])
    hubs_r = _allocate(hub_total, rural_r, [r // 3 for r in rural_r])
    plans = []
    for o, n, rural, hubs in zip(_OBLASTS, n_r, rural_r, hubs_r, strict=True):
        if n == 0:
            continue
        slug, name_kk, name_ru, (cap_kk, cap_ru), clat, clon, prefix, _, _, kk_share = o
        used: set[str] = {cap_kk}
        codes: set[str] = set()
        n_districts = min(12, max(1, rural // 10)) if rural else 0
        urban = n - rural
        districts = [
            _DistrictPlan(
                code=f"{slug}-city",
                name_kk=f"{cap_kk} қаласы",
                name_ru=f"город {cap_ru}",
                name_en=f"{_translit(cap_ru)} city",
                centre_kk=cap_kk,
                centre_ru=cap_ru,
                lat=clat,
                lon=clon,
                towns=[],
                scatter_km=70.0,
            )
        ]
        for k in range(n_districts):
            theta = 2 * math.pi * (k + rng.uniform(-0.3, 0.3)) / n_districts
            r = rng.uniform(70, 280)
            lat = _clamp(clat + r * math.cos(theta) / 111.2, LAT_RANGE)
            lon = _clamp(
                clon + r * math.sin(theta) / (111.2 * math.cos(math.radians(clat))), LON_RANGE
            )
            ckk, cru = _place_name(rng, used, whole_p=0.0)
            adj = ru_adjective(cru) or cru
            code = f"{slug}-{_slug(cru)}"[:27].rstrip("-")
            if code in codes:
                code = f"{code}-{k + 1}"
            codes.add(code)
            districts.append(
                _DistrictPlan(
                    code=code,
                    name_kk=f"{ckk} ауданы",
                    name_ru=f"{adj.removesuffix('ская')}ский район",
                    name_en=f"{_translit(cru)} district",
                    centre_kk=ckk,
                    centre_ru=cru,
                    lat=round(lat, 4),
                    lon=round(lon, 4),
                    towns=[],
                    scatter_km=70.0,
                )
            )
        rural_districts = districts[1:]
        # Urban schools: most in the capital, the rest in towns at some district centres.
        town_districts = [d for d in rural_districts if rng.random() < 0.4]
        in_towns = round(urban * 0.3) if town_districts else 0
        if urban - in_towns:
            districts[0].towns.append(_Town(cap_kk, cap_ru, clat, clon, urban - in_towns, True))
        for d, k in zip(
            town_districts, _allocate(in_towns, [1.0] * len(town_districts)), strict=True
        ):
            if k:
                d.towns.append(_Town(d.centre_kk, d.centre_ru, d.lat, d.lon, k))
                d.centre_is_town = True
        # Rural schools: hubs, a large school in each village centre, then small and mid.
        if rural_districts:
            rural_d = _allocate(rural, [rng.uniform(0.6, 1.4) for _ in rural_districts])
            hubs_d = _allocate(hubs, rural_d, [r // 3 for r in rural_d])
            for d, r, h in zip(rural_districts, rural_d, hubs_d, strict=True):
                d.hubs = h
                d.centre_schools = 1 if not d.centre_is_town and r - h >= 6 else 0
            avail = [
                r - d.hubs - d.centre_schools for d, r in zip(rural_districts, rural_d, strict=True)
            ]
            # the same share of small schools among the rural ones in every region
            small_r = min(sum(avail), round(small_total * rural / max(1, rural_total)))
            for d, s, a in zip(
                rural_districts, _allocate(small_r, avail, avail), avail, strict=True
            ):
                d.small, d.mid = s, a - s
        pupils = round(pupils_total * n / extra)
        share = rural_pupils * rural / max(1, rural_total) / max(1, pupils)
        plans.append(
            _OblastPlan(
                code=f"{slug}-demo",
                name_kk=f"{name_kk} (демо)",
                name_ru=f"{name_ru} (демо)",
                prefix=prefix,
                districts=[
                    d for d in districts if d.towns or d.hubs + d.centre_schools + d.small + d.mid
                ],
                kk_share=kk_share,
                pupils=pupils,
                rural_pupil_share=min(0.9, share),
                adequate_share=NATIONAL_ADEQUATE_INTERNET,
                magnets=0,  # set below, proportional to hubs
                hub_weight=1.5,
                centre_weight=1.3,
            )
        )
    # Magnets: about 11 per hub, never more than the region's small schools.
    magnet_total = max(0, round(MAGNETS_PER_HUB * hub_total))
    hubs_p = [sum(d.hubs for d in p.districts) for p in plans]
    small_p = [sum(d.small for d in p.districts) for p in plans]
    for p, m in zip(plans, _allocate(magnet_total, hubs_p, small_p), strict=True):
        p.magnets = m
    return plans


# --- Schools ---------------------------------------------------------------------------


class _Draft:
    """A school being generated (mutable; frozen into a SchoolSpec at the end)."""

    __slots__ = (
        "class_sets", "code", "district", "enrolment", "hub", "kind", "landmark", "language",
        "lat", "level", "lon", "name_kk", "name_ru", "number", "role", "settlement_kk",
        "settlement_ru",
    )  # fmt: skip

    def __init__(
        self, district: _DistrictPlan, kind: str, kk: str, ru: str, lat: float, lon: float
    ) -> None:
        self.district = district
        self.kind = kind  # city, town, hub, centre, small, mid
        self.settlement_kk, self.settlement_ru = kk, ru
        self.lat, self.lon = lat, lon
        self.role = "hub" if kind == "hub" else "none"
        self.hub: _Draft | None = None
        self.landmark: str | None = None
        self.number: int | None = None
        self.level = "full"
        self.enrolment: dict[int, int] = {}
        self.class_sets: list[tuple[str, tuple[int, ...]]] = []
        self.code = ""
        self.name_kk = self.name_ru = ""
        self.language = "kk"

    @property
    def rural(self) -> bool:
        return self.kind not in ("city", "town")

    @property
    def pupils(self) -> int:
        return sum(self.enrolment.values())


_GRADE_WEIGHT = (0.85, 1.05, 1.05, 1.05, 1.05, 1.0, 1.0, 1.0, 1.0, 1.0, 0.7, 0.7)
_LEVEL_GRADES = {"primary": range(0, 5), "basic": range(0, 10), "full": range(0, 12)}


def _split_by_grade(
    rng: random.Random, total: int, level: str, min_per_grade: int
) -> dict[int, int]:
    grades = _LEVEL_GRADES[level]
    w = [_GRADE_WEIGHT[g] * rng.uniform(0.85, 1.15) for g in grades]
    s = sum(w)
    return {g: max(min_per_grade, round(total * wi / s)) for g, wi in zip(grades, w, strict=True)}


def _small_enrolment(rng: random.Random, level: str) -> dict[int, int]:
    """Pupils per grade of a small school: mostly 2-6, at most 12; an upper grade may be empty."""
    out = {}
    for g in _LEVEL_GRADES[level]:
        if g == 0:
            n = 1 + int(rng.betavariate(1.3, 5) * 6)
        elif g >= 5 and rng.random() < 0.07:
            continue
        else:
            n = 2 + int(rng.betavariate(1.3, 6) * 11)
        out[g] = n
    return out


def _small_class_sets(
    rng: random.Random, enrol: dict[int, int]
) -> list[tuple[str, tuple[int, ...]]]:
    """Combine grades into class-sets while the combined set stays small.

    Primary grades go in pairs (1+3 and 2+4, or 1+2 and 3+4), all four together when there
    are very few pupils; grades 5-9 in pairs or threes with grade 9 (the exam year) often on
    its own; 10+11 together. A set of more than 20 pupils is split back into single grades,
    unless that would leave the school with no combined class-set (grades 1-4 of a small
    school always have pupils).
    """
    pattern: list[tuple[int, ...]] = [(0,)]
    primary = sum(enrol.get(g, 0) for g in (1, 2, 3, 4))
    if primary <= 12:
        pattern.append((1, 2, 3, 4))
    else:
        pattern += [(1, 3), (2, 4)] if rng.random() < 0.6 else [(1, 2), (3, 4)]
    basic = sum(enrol.get(g, 0) for g in range(5, 10))
    if basic <= 14:
        pattern += [(5, 6, 7), (8, 9)]
    elif rng.random() < 0.6:
        pattern += [(5, 6), (7, 8), (9,)]
    else:
        pattern += [(5, 7), (6, 8), (9,)]
    pattern += [(10, 11)] if enrol.get(10, 0) + enrol.get(11, 0) <= 16 else [(10,), (11,)]
    sets: list[tuple[int, ...]] = []
    for grades in pattern:
        present = tuple(g for g in grades if enrol.get(g))
        if not present:
            continue
        if sum(enrol[g] for g in present) > 20:
            sets += [(g,) for g in present]
        else:
            sets.append(present)
    if all(len(g) == 1 for g in sets):  # still a small school: pair the primary grades
        sets = [g for g in sets if not 1 <= g[0] <= 4] + [(1, 3), (2, 4)]
    return [("+".join(map(str, g)), g) for g in sorted(sets)]


def _oblast_schools(rng: random.Random, plan: _OblastPlan, aktobe: bool) -> list[_Draft]:
    """Place, size, link and name every school of one region (codes still empty)."""
    drafts: list[_Draft] = []
    for d in plan.districts:
        used: set[str] = {d.centre_kk} | {t.kk for t in d.towns}
        for town in d.towns:
            number = 0
            radius = 8.0 if town.is_city else 3.0
            for _ in range(town.schools):
                number += 1 + (rng.random() < 0.15)
                lat, lon = _scatter(rng, town.lat, town.lon, 0.2, radius)
                s = _Draft(d, "city" if town.is_city else "town", town.kk, town.ru, lat, lon)
                s.number = number
                drafts.append(s)
        in_centre: list[_Draft] = []
        for h in range(d.hubs):
            if aktobe and d.code == "alga" and h == 0:
                kk, ru, lat, lon, _, _ = _BESTAMAK
                s = _Draft(d, "hub", kk, ru, lat, lon)
                s.landmark = "bestamak"
            elif not d.centre_is_town and h == 0:  # the hub is the district centre's school
                lat, lon = _scatter(rng, d.lat, d.lon, 0.1, 2.0)
                s = _Draft(d, "hub", d.centre_kk, d.centre_ru, lat, lon)
                in_centre.append(s)
                if aktobe and d.code == "bayganin":
                    s.landmark = "karauylkeldy"
            else:  # a large village near the centre
                kk, ru = _place_name(rng, used)
                lat, lon = _scatter(rng, d.lat, d.lon, 15.0, 45.0)
                s = _Draft(d, "hub", kk, ru, lat, lon)
            drafts.append(s)
        for _ in range(d.centre_schools):
            lat, lon = _scatter(rng, d.lat, d.lon, 0.1, 2.0)
            s = _Draft(d, "centre", d.centre_kk, d.centre_ru, lat, lon)
            in_centre.append(s)
            drafts.append(s)
        if len(in_centre) > 1:  # several schools in the centre village: number them
            for number, s in enumerate(in_centre, start=1):
                s.number = number
        for k in range(d.small + d.mid):
            kind = "small" if k < d.small else "mid"
            if aktobe and d.code == "khromtau" and k == 0:
                kk, ru, lat, lon = _KUMSAI
                s = _Draft(d, "small", kk, ru, lat, lon)
                s.landmark = "kumsai"
            else:
                kk, ru = _place_name(rng, used)
                lat, lon = _scatter(rng, d.lat, d.lon, 5.0, d.scatter_km)
                s = _Draft(d, kind, kk, ru, lat, lon)
            drafts.append(s)

    _size_schools(rng, plan, drafts)
    _link_magnets(plan, drafts)
    for s in drafts:
        if s.kind == "city":
            s.name_kk, s.name_ru = _city_school_names(rng, s.number or 0)
        else:
            level = s.level if s.rural else "full"
            s.name_kk, s.name_ru = _village_school_names(
                s.settlement_kk, s.settlement_ru, level, s.number
            )
    return drafts


def _size_schools(rng: random.Random, plan: _OblastPlan, drafts: list[_Draft]) -> None:
    """Enrolment and class-sets, calibrated to the region's pupils and rural share.

    Small schools are drawn directly; the other rural schools share what is left of the
    rural pupils (hubs and centre schools weigh more), the urban ones the rest.
    """
    rural_target = plan.pupils * plan.rural_pupil_share
    fixed = 0
    scalable: list[tuple[_Draft, float]] = []
    for s in drafts:
        if s.kind == "small":
            s.level = rng.choices(("primary", "basic", "full"), (0.2, 0.45, 0.35))[0]
            if s.landmark == "kumsai":
                s.level = "basic"
            s.enrolment = _small_enrolment(rng, s.level)
            fixed += s.pupils
        elif s.landmark == "bestamak":
            s.enrolment = _split_by_grade(rng, _BESTAMAK[4], "full", 1)
            fixed += s.pupils
        elif s.rural:
            weight = {"hub": plan.hub_weight, "centre": plan.centre_weight}.get(s.kind, 1.0)
            if s.kind == "mid" and rng.random() < 0.3:
                s.level = "basic"
            scalable.append((s, weight * rng.uniform(0.7, 1.3)))
    budget = max(0.0, rural_target - fixed)
    wsum = sum(w for _, w in scalable) or 1.0
    for s, w in scalable:
        floor = 60 if s.kind == "mid" else 150
        s.enrolment = _split_by_grade(rng, max(floor, round(budget * w / wsum)), s.level, 4)

    urban = [s for s in drafts if not s.rural]
    rural_pupils = sum(s.pupils for s in drafts if s.rural)
    urban_budget = max(0, plan.pupils - rural_pupils)
    weights = [
        800 + 1200 * rng.betavariate(1.2, 3.5)
        if s.kind == "city"
        else 300 + 900 * rng.betavariate(1.5, 2.5)
        for s in urban
    ]
    wsum = sum(weights) or 1.0
    for s, w in zip(urban, weights, strict=True):
        s.enrolment = _split_by_grade(rng, max(200, round(urban_budget * w / wsum)), "full", 10)

    for s in drafts:
        if s.kind == "small":
            s.class_sets = _small_class_sets(rng, s.enrolment)
        else:
            s.class_sets = [(str(g), (g,)) for g in sorted(s.enrolment)]


def _link_magnets(plan: _OblastPlan, drafts: list[_Draft]) -> None:
    """Give ``plan.magnets`` small schools a hub: each hub in turn takes its nearest free
    small school within ``MAX_MAGNET_KM`` (so about 11 each). Distances to schools of
    another district count 1.6 times, so a hub takes its own district's schools first."""
    hubs = [s for s in drafts if s.kind == "hub"]
    small = [s for s in drafts if s.kind == "small"]
    if not hubs or not plan.magnets:
        return
    taken: set[int] = set()
    count = 0
    for s in small:  # a landmark magnet goes to its landmark hub first
        if s.landmark == "kumsai":
            bestamak = next(h for h in hubs if h.landmark == "bestamak")
            s.role, s.hub = "magnet", bestamak
            taken.add(id(s))
            count += 1
    nearest = {}
    for h in hubs:
        cands = []
        for i, s in enumerate(small):
            dist = distance_km(h.lat, h.lon, s.lat, s.lon)
            if dist <= MAX_MAGNET_KM:
                cands.append((dist * (1.0 if s.district is h.district else 1.6), i))
        nearest[id(h)] = [i for _, i in sorted(cands)]
    pointer = {id(h): 0 for h in hubs}
    progress = True
    while count < plan.magnets and progress:
        progress = False
        for h in hubs:
            if count >= plan.magnets:
                break
            lst, p = nearest[id(h)], pointer[id(h)]
            while p < len(lst) and id(small[lst[p]]) in taken:
                p += 1
            pointer[id(h)] = p
            if p < len(lst):
                s = small[lst[p]]
                s.role, s.hub = "magnet", h
                taken.add(id(s))
                count += 1
                progress = True


# --- Infrastructure and devices ---------------------------------------------------------


def _language(rng: random.Random, s: _Draft, kk_share: float) -> str:
    if s.landmark:
        return "kk"
    p_kk = min(0.97, kk_share + 0.1) if s.rural else max(0.2, kk_share - 0.2)
    r = rng.random()
    if r < p_kk:
        return "kk"
    return "ru" if r < p_kk + (1 - p_kk) * 0.4 else "mixed"


def _internet(rng: random.Random, s: _Draft, adequate: bool) -> tuple[str, float]:
    need = norm_mbps(s.pupils)
    if adequate:
        if not s.rural or s.kind == "hub":
            kind = "fibre"
        else:
            kind = rng.choices(("fibre", "satellite", "mobile", "radio"), (55, 15, 20, 10))[0]
        top = {"fibre": 3.0, "satellite": 1.8, "mobile": 1.6, "radio": 1.5}[kind]
        mbps = math.ceil(need * rng.uniform(1.0, top))
        if kind == "fibre":
            mbps = max(mbps, rng.choice((30, 50, 100) if s.rural else (50, 100, 100, 200)))
        return kind, float(mbps)
    if not s.rural:
        return rng.choice(("fibre", "adsl")), float(max(2, int(need * rng.uniform(0.3, 0.9))))
    kind = rng.choices(("none", "adsl", "mobile", "satellite"), (30, 25, 30, 15))[0]
    if kind == "none":
        return kind, 0.0
    return kind, round(min(need - 0.5, rng.uniform(1.5, 15.0)), 1)


def _split_condition(rng: random.Random, kind: str, n: int) -> list[tuple[str, str, int]]:
    if n <= 0:
        return []
    repair = int(n * rng.uniform(0.0, 0.15))
    broken = int(n * rng.uniform(0.0, 0.1))
    out = [
        (kind, "working", n - repair - broken),
        (kind, "repair", repair),
        (kind, "broken", broken),
    ]
    return [row for row in out if row[2] > 0]


def _equip(rng: random.Random, plan: _OblastPlan, drafts: list[_Draft]) -> dict[int, tuple]:
    """Infrastructure and devices for each school, keyed by ``id(draft)``.

    Exactly ``round(adequate_share * n)`` schools meet the internet norm: hubs always,
    urban schools more often than rural ones.
    """
    n = len(drafts)
    quota = round(plan.adequate_share * n)
    keys = sorted(
        range(n),
        key=lambda i: (
            -(
                rng.random()
                + (5.0 if drafts[i].kind == "hub" else 0.45 if not drafts[i].rural else 0.0)
            )
        ),
    )
    adequate = set(keys[:quota])
    out = {}
    for i, s in enumerate(drafts):
        s.language = _language(rng, s, plan.kk_share)
        itype, mbps = _internet(rng, s, i in adequate)
        p = s.pupils
        r = rng.random()
        if s.kind == "small":
            elec = "off_grid" if r < 0.02 else "unstable" if r < 0.15 else "stable"
            rooms = len(s.class_sets) + rng.randint(1, 3)
            labs = (rng.random() < 0.45, rng.random() < 0.2, rng.random() < 0.02)
        elif s.rural:
            elec = "unstable" if r < 0.1 else "stable"
            rooms = len(s.class_sets) + math.ceil(p / 60) + rng.randint(2, 6)
            hub = s.kind == "hub"
            stem = rng.random() < (0.8 if hub else 0.03)
            labs = (hub or rng.random() < 0.8, hub or rng.random() < 0.5, stem)
        else:
            elec = "unstable" if r < 0.02 else "stable"
            rooms = math.ceil(p / 50) + rng.randint(4, 10)  # two shifts
            labs = (rng.random() < 0.95, rng.random() < 0.7, rng.random() < 0.25)
        if s.landmark == "bestamak":
            rooms, labs = _BESTAMAK[5], (True, True, True)
        devices: list[tuple[str, str, int]] = []
        laptops = (
            rng.randint(4, 15) if s.kind == "small" else max(5, round(p / rng.uniform(25, 60)))
        )
        devices += _split_condition(rng, "laptop", laptops)
        if labs[0]:
            devices += _split_condition(rng, "desktop", rng.randint(10, 25))
        if rng.random() < 0.3:
            devices += _split_condition(rng, "tablet", rng.randint(5, 30))
        panels = rng.randint(1, 3) if s.kind == "small" else round(rooms * rng.uniform(0.1, 0.5))
        devices += _split_condition(rng, "panel", panels)
        devices += _split_condition(rng, "projector", round(rooms * rng.uniform(0.0, 0.3)))
        out[id(s)] = (itype, mbps, elec, min(rooms, 300), *labs, tuple(devices))
    return out


# --- Teachers --------------------------------------------------------------------------

#: Approximate weekly hours per class per grade (index 0-11), for sizing demo staff only:
#: NOT the standard curriculum (MoES order No. 500, annexes of order No. 27 of 2024), whose
#: figures were not obtained (facts.md).
_HOURS: dict[str, tuple[int, ...]] = {
    "math":            (0, 0, 0, 0, 0, 5, 5, 0, 0, 0, 0, 0),
    "algebra":         (0, 0, 0, 0, 0, 0, 0, 3, 3, 3, 3, 3),
    "geometry":        (0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2),
    "kazakh":          (0, 0, 0, 0, 0, 3, 3, 3, 3, 3, 2, 2),
    "kazakh_lit":      (0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2),
    "russian":         (0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 1, 1),
    "russian_lit":     (0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1),
    "english":         (0, 0, 0, 2, 2, 3, 3, 3, 3, 3, 3, 3),
    "natural_science": (0, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 0),
    "physics":         (0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 3, 3),
    "chemistry":       (0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2),
    "biology":         (0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2),
    "geography":       (0, 0, 0, 0, 0, 0, 1, 2, 2, 2, 2, 2),
    "history_kz":      (0, 0, 0, 0, 0, 1, 1, 2, 2, 2, 2, 2),
    "world_history":   (0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1),
    "law":             (0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1),
    "informatics":     (0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2),
    "pe":              (0, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 2),
    "art":             (0, 0, 0, 0, 0, 2, 2, 2, 2, 0, 0, 0),
    "music":           (0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0),
    "self_knowledge":  (0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1),
    "military":        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1),
}  # fmt: skip
#: Subject families a specialist teacher covers, in the order small schools merge them
#: (math with physics, chemistry-biology with geography, history with the arts...).
_FAMILIES: dict[str, tuple[str, ...]] = {
    "math": ("math", "algebra", "geometry"),
    "physics": ("physics", "informatics"),
    "chem_bio": ("chemistry", "biology", "natural_science"),
    "geography": ("geography",),
    "history": ("history_kz", "world_history", "law"),
    "arts": ("art", "music", "self_knowledge"),
    "pe": ("pe", "military"),
    "kazakh": ("kazakh", "kazakh_lit"),
    "russian": ("russian", "russian_lit"),
    "english": ("english",),
}
_FAMILY_OF = {subj: fam for fam, subjects in _FAMILIES.items() for subj in subjects}
#: A primary class teacher teaches these to one class (grades 1-4); a pre-school teacher
#: the first three to grade 0.
_PRIMARY = ("literacy", "math", "kazakh", "russian", "natural_science", "art", "self_knowledge")
_PRESCHOOL = ("literacy", "math", "art")
CLASS_SIZE = 25  # pupils per parallel class, for counting classes in big schools
FULL_LOAD, MAX_LOAD, SHARE_BELOW = 20.0, 26.0, 8.0


class _Staff:
    __slots__ = ("assignments", "hours", "school", "shared", "subjects")

    def __init__(self, school: _Draft, hours: float) -> None:
        self.school = school
        self.hours = hours
        self.subjects: list[str] = []
        self.assignments: list[tuple[_Draft, str]] = []
        self.shared = False


def _family_hours(s: _Draft) -> dict[str, tuple[float, list[str]]]:
    """Weekly specialist hours per subject family at a school, and the subjects taught."""
    hours: dict[str, float] = {}
    taught: dict[str, list[str]] = {}
    for _, grades in s.class_sets:
        classes = 1 if len(grades) > 1 else max(1, math.ceil(s.enrolment[grades[0]] / CLASS_SIZE))
        for subj, per_grade in _HOURS.items():
            if grades[-1] <= 4 and subj not in ("english", "pe", "music"):
                continue  # the class teacher teaches it
            h = max(per_grade[g] for g in grades)
            if h:
                fam = _FAMILY_OF[subj]
                hours[fam] = hours.get(fam, 0.0) + h * classes
                lst = taught.setdefault(fam, [])
                if subj not in lst:
                    lst.append(subj)
    return {f: (hours[f], taught[f]) for f in _FAMILIES if f in hours}


def _staff_school(
    s: _Draft, neighbours: list[_Draft], pool: dict[tuple[int, str], _Staff]
) -> list[_Staff]:
    """The teachers whose main school is ``s``; may extend a neighbour's teacher instead.

    One class teacher per primary class (a combined class-set is one class), one per
    pre-school class, and specialists by hours: a family with a full load gets its own
    teachers; light families are merged into one teacher (math with physics...), and a
    very light one at a small school goes to a neighbouring small school's teacher of that
    family who has time left (that teacher then teaches at two schools).
    """
    staff: list[_Staff] = []
    for _, grades in s.class_sets:
        if grades[-1] > 4:
            continue
        classes = 1 if len(grades) > 1 else max(1, math.ceil(s.enrolment[grades[0]] / CLASS_SIZE))
        class_subjects = _PRESCHOOL if grades == (0,) else _PRIMARY
        for _ in range(classes):
            t = _Staff(s, 20.0 if grades != (0,) else 14.0)
            t.subjects = list(class_subjects)
            t.assignments = [(s, subj) for subj in class_subjects]
            staff.append(t)

    light: list[tuple[str, float, list[str]]] = []
    for fam, (h, subjects) in _family_hours(s).items():
        if h >= 16:
            k = max(1, round(h / FULL_LOAD))
            for _ in range(k):
                t = _Staff(s, h / k)
                t.subjects = list(_FAMILIES[fam])
                t.assignments = [(s, subj) for subj in subjects]
                staff.append(t)
            continue
        if s.kind == "small" and h < SHARE_BELOW:
            hosts = (pool.get((id(n), fam)) for n in neighbours)
            host = next((t for t in hosts if t and not t.shared and t.hours + h <= MAX_LOAD), None)
            if host is not None:
                host.hours += h
                host.shared = True
                host.assignments += [(s, subj) for subj in subjects]
                continue
        light.append((fam, h, subjects))
    current: _Staff | None = None
    for fam, h, subjects in light:  # next-fit along the family order
        if current is None or current.hours + h > MAX_LOAD:
            current = _Staff(s, 0.0)
            staff.append(current)
        current.hours += h
        # In a small school the teacher who takes on a further subject family teaches it
        # without the qualification (the gap hub schools fill with online lessons): only the
        # first family a packed teacher holds is one they are qualified for.
        if not current.subjects or s.kind != "small":
            current.subjects += _FAMILIES[fam]
        current.assignments += [(s, subj) for subj in subjects]
        if s.kind == "small":
            pool[(id(s), fam)] = current
    return staff


def _neighbours(drafts: list[_Draft], limit_km: float = 40.0, k: int = 3) -> dict[int, list]:
    """For each small school, the nearest small schools of its district within ``limit_km``."""
    by_district: dict[str, list[_Draft]] = {}
    for s in drafts:
        if s.kind == "small":
            by_district.setdefault(s.district.code, []).append(s)
    out: dict[int, list[_Draft]] = {}
    for group in by_district.values():
        for s in group:
            near = sorted(
                (distance_km(s.lat, s.lon, o.lat, o.lon), i)
                for i, o in enumerate(group)
                if o is not s
            )
            out[id(s)] = [group[i] for d, i in near[:k] if d <= limit_km]
    return out


class _Names:
    """Teachers' full names in the style of the school's language."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def __call__(self, language: str) -> str:
        rng = self.rng
        female = rng.random() < 0.78
        r = rng.random()
        if (language == "ru" and r < 0.45) or (language == "mixed" and r < 0.15):
            first_ru = rng.choice(_FEMALE_RU if female else _MALE_RU)
            surname_ru = rng.choice(_SURNAMES_RU) + ("а" if female else "")
            return f"{surname_ru} {first_ru} {rng.choice(_FATHERS_RU)[female]}"
        # A Kazakh name: Kazakh spelling and patronymic (-ұлы/-қызы) at a Kazakh-medium
        # school, the Russian forms (-ович/-овна) elsewhere.
        first = rng.choice(_FEMALE_KK if female else _MALE_KK)
        father = rng.choice(_MALE_KK)
        surname = rng.choice(_SURNAMES_KK)
        ending = "а" if female else ""
        if language == "kk":
            return f"{surname[0]}{ending} {first[0]} {father[0]}{'қызы' if female else 'ұлы'}"
        return f"{surname[1]}{ending} {first[1]} {father[1]}{'овна' if female else 'ович'}"


# --- Assembly ---------------------------------------------------------------------------


def generate_region(seed: int = 2024, schools: int | None = None) -> RegionSpec:
    """Generate the demo registry for ``seed``.

    ``schools=None`` (or 424) gives the Aktobe region; a larger ``schools`` adds synthetic
    regions up to exactly that many schools. Each region draws from its own stream seeded
    by ``(seed, region code)``, so Aktobe is the same whatever the national size.
    """
    if schools is not None and schools < AKTOBE_SCHOOLS:
        raise ValueError(f"schools must be at least {AKTOBE_SCHOOLS} (the Aktobe region)")
    plans = [_aktobe_plan()]
    plans += _synthetic_plans(random.Random(f"{seed}:national"), schools or AKTOBE_SCHOOLS)

    oblasts, districts, school_specs = [], [], []
    all_drafts: list[_Draft] = []
    landmarks: dict[str, str] = {}
    equipment: dict[int, tuple] = {}
    for plan in plans:
        rng = random.Random(f"{seed}:{plan.code}")
        drafts = _oblast_schools(rng, plan, aktobe=plan.code == DEMO_REGION_CODE)
        width = max(4, len(str(len(drafts))))
        for i, s in enumerate(drafts, start=1):
            s.code = f"{plan.prefix}-{i:0{width}d}"
            if s.landmark:
                landmarks[s.landmark] = s.code
        equipment.update(_equip(rng, plan, drafts))
        oblasts.append(OblastSpec(plan.code, plan.name_kk, plan.name_ru))
        districts += [
            DistrictSpec(d.code, plan.code, d.name_kk, d.name_ru, d.name_en, d.lat, d.lon)
            for d in plan.districts
        ]
        all_drafts += drafts

    teachers = _teachers(random.Random(f"{seed}:teachers"), all_drafts)
    for s in all_drafts:
        itype, mbps, elec, rooms, lab_c, lab_s, lab_stem, devices = equipment[id(s)]
        school_specs.append(
            SchoolSpec(
                code=s.code,
                district_code=s.district.code,
                name_kk=s.name_kk,
                name_ru=s.name_ru,
                settlement_kk=s.settlement_kk,
                settlement_ru=s.settlement_ru,
                locality="rural" if s.rural else "urban",
                language=s.language,
                network_role=s.role,
                hub_code=s.hub.code if s.hub is not None else None,
                latitude=s.lat,
                longitude=s.lon,
                enrolment=dict(sorted(s.enrolment.items())),
                class_sets=tuple(s.class_sets),
                internet_type=itype,
                internet_mbps=mbps,
                electricity=elec,
                rooms=rooms,
                computer_lab=lab_c,
                science_lab=lab_s,
                stem_lab=lab_stem,
                devices=devices,
            )
        )
    return RegionSpec(
        seed=seed,
        oblasts=tuple(oblasts),
        districts=tuple(districts),
        schools=tuple(school_specs),
        teachers=tuple(teachers),
        landmarks=landmarks,
    )


def _teachers(rng: random.Random, drafts: list[_Draft]) -> list[TeacherSpec]:
    neighbours = _neighbours(drafts)
    pool: dict[tuple[int, str], _Staff] = {}
    staff: list[_Staff] = []
    for s in drafts:
        staff += _staff_school(s, neighbours.get(id(s), []), pool)
    names = _Names(rng)
    width = max(6, len(str(len(staff))))
    out = []
    for i, t in enumerate(staff, start=1):
        seen: set[tuple[str, str]] = set()
        assignments = []
        for school, subj in t.assignments:
            key = (school.code, subj)
            if key not in seen:
                seen.add(key)
                assignments.append(key)
        out.append(
            TeacherSpec(
                code=f"T{i:0{width}d}",
                full_name=names(t.school.language),
                school_code=t.school.code,
                subjects=tuple(dict.fromkeys(t.subjects)),
                weekly_hours=min(36, max(2, round(t.hours))),
                assignments=tuple(assignments),
            )
        )
    return out


def demo_account_scopes(spec: RegionSpec) -> list[tuple[DemoAccount, str | None, str | None]]:
    """Each demo account with its district code and school code in ``spec``."""
    return [(a, a.district, spec.landmarks[a.school] if a.school else None) for a in DEMO_ACCOUNTS]
