"""The demo store: a seeded, coherent two-year history of a small industrial distributor.

`python -m stocklens demo` calls write_demo_store(). It simulates, day by day, customer demand
per SKU, warehouse shipments limited by stock, supplier replenishment with lead times, partial
and late receipts, customer cancellations and re-promised dates. At every month end it exports
what a real ERP would export (kpi-book sections 1-2): the order lines still open or changed
during the month with cumulative quantities, the stock on hand per SKU and location, and the
purchase order lines still open or received during the month. Those CSV files are then loaded
through the real importer, exactly as a user's uploads are, so the demo also exercises it.

Purchasing is uneven on purpose, so that the Replenishment and Suppliers pages have something to
show: suppliers differ in reliability (one delivers on time and in full, one is often late and
short, one confirms far longer lead times than the product master says), some SKUs have a second
supplier for part of their volume, the chronically backordered SKUs are reordered only every four
weeks and their supplier confirms only part of what is asked (so part of their backorder is on no
PO at most month ends), and PO lines not yet confirmed at a month end have no expected date.

Everything is drawn from numpy Generators seeded by `seed`: the same seed and the same `today`
give byte-identical files. The customers' demand (every order line as ordered) and the purchasing
behaviour above each draw from a stream of their own: a change to stock or purchasing leaves the
demand as it was (shipments, cancellations and re-promises follow the stock, so they change).
"""
from __future__ import annotations

import calendar
import csv
import datetime as dt
import math
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

MONTHS = 24
# The simulation starts this many months before the first exported month, so that the first
# upload already holds older open lines and the stock has settled into its replenishment rhythm.
WARMUP_MONTHS = 3
REVIEW_DAYS = 7  # buyers review every SKU and location once a week, on Mondays
CHRONIC_REVIEW_WEEKS = 4  # ... but the chronically short SKUs only every fourth Monday
CHRONIC_ALLOCATION = (0.45, 0.95)  # the share of a chronic SKU's request its supplier confirms
CHRONIC_COVER_DAYS = 14  # ... and they are reordered up to two weeks of demand plus a pack
UNCONFIRMED_P = 0.08  # PO lines the supplier confirms 3 to 10 days after the order: no expected date until then
SECOND_SOURCE = {"fast": 10, "regular": 12, "chronic": 3}  # SKUs with a second supplier, per behaviour

LOCATIONS = ("WH-NORTH", "WH-SOUTH", "WH-EAST")
# Share of customers served by each warehouse. WH-NORTH is the central warehouse that stocks
# every SKU; a customer of another region is served from NORTH when its region lacks the SKU.
LOCATION_WEIGHTS = (0.5, 0.3, 0.2)


@dataclass(frozen=True)
class Supplier:
    name: str
    lead_time_days: int  # the lead time the product master holds for its SKUs (plus 0-7 days)
    delay_mean: float  # how late it really delivers against the expected date, on average (days)
    delay_sd: float
    confirm_extra_days: int = 0  # it confirms (expected date) this much later than the master says
    short_p: float = 0.06  # share of PO lines delivered short, the rest 1-3 weeks later


SUPPLIERS = (
    Supplier("Nordfast GmbH", 21, -0.5, 2.5),
    # overseas: confirms three weeks more than the master's 56 to 63 days, and is often late on top
    Supplier("Pacific Fastening Co.", 56, 2.0, 5.0, confirm_extra_days=21, short_p=0.08),
    Supplier("Voltaris SpA", 14, -1.5, 1.0, short_p=0.01),  # the reliable one: on time, in full
    Supplier("Brightline Electric", 35, 8.0, 7.0, short_p=0.25),  # often late, often short
    Supplier("AquaFlow Industries", 18, 0.0, 2.5),
    Supplier("Kraftwerk Tools", 28, 1.0, 3.0),
    Supplier("SafeGuard PPE Ltd", 10, 0.0, 1.5, short_p=0.03),
    Supplier("ChemBond BV", 12, -0.5, 2.0),
)
# Where a SKU's second source comes from: another supplier of its category, else this one.
ALTERNATE_SUPPLIER = {"Safety": "Kraftwerk Tools"}
# The three profiles the Suppliers page should show (named in the demo's summary).
RELIABLE, OFTEN_LATE, LONG_LEAD = "Voltaris SpA", "Brightline Electric", "Pacific Fastening Co."

# Per category: the first digit of its SKU codes (category 0 gives codes like "00412": the
# leading zeros must survive the import), its suppliers, and its items as
# (name, cost range, typical quantity per order line, sold by the metre).
CATEGORIES = {
    "Fasteners": {
        "digit": "0",
        "suppliers": ("Nordfast GmbH", "Pacific Fastening Co."),
        "variants": ("M5", "M6", "M8", "M10", "M12", "M16", "M20"),
        "items": (
            ("Hex bolt zinc plated, box of 100", (6, 38), 4, False),
            ("Socket cap screw A2 stainless, box of 100", (9, 55), 3, False),
            ("Hex nut zinc plated, box of 200", (3, 18), 5, False),
            ("Flat washer, box of 500", (4, 20), 4, False),
            ("Threaded rod 1 m", (2, 12), 10, False),
            ("Nylon wall plug, box of 100", (3, 10), 6, False),
        ),
    },
    "Electrical": {
        "digit": "1",
        "suppliers": ("Voltaris SpA", "Brightline Electric"),
        "variants": ("16A", "20A", "25A", "32A", "IP65", "IP44", "1.5 mm2", "2.5 mm2", "4 mm2"),
        "items": (
            ("Circuit breaker 1P", (6, 28), 4, False),
            ("Junction box", (3, 16), 6, False),
            ("Cable gland, pack of 10", (4, 15), 3, False),
            ("LED panel 600x600", (28, 75), 4, False),
            ("Contactor 3P", (24, 120), 1, False),
            ("Cable H07RN-F (per m)", (0.8, 4.5), 40, True),
        ),
    },
    "Plumbing": {
        "digit": "2",
        "suppliers": ("AquaFlow Industries", "Nordfast GmbH"),
        "variants": ("DN15", "DN20", "DN25", "DN32", "DN40", "DN50"),
        "items": (
            ("Ball valve brass", (7, 60), 3, False),
            ("Press fitting elbow", (2, 14), 10, False),
            ("PEX pipe (per m)", (0.9, 3.8), 50, True),
            ("Check valve", (9, 70), 2, False),
            ("Flexible hose (per m)", (2.5, 9), 10, True),
        ),
    },
    "Tools": {
        "digit": "3",
        "suppliers": ("Kraftwerk Tools", "Pacific Fastening Co."),
        "variants": ("Pro", "Compact", "Heavy duty", "Set", "XL", "Mini"),
        "items": (
            ("Cordless drill 18V", (70, 240), 1, False),
            ("Torque wrench", (45, 190), 1, False),
            ("Hole saw set", (25, 90), 1, False),
            ("Screwdriver set", (12, 48), 2, False),
            ("Pipe cutter", (15, 65), 1, False),
        ),
    },
    "Safety": {
        "digit": "4",
        "suppliers": ("SafeGuard PPE Ltd",),
        "variants": ("size S", "size M", "size L", "size XL", "yellow", "orange", "white"),
        "items": (
            ("Safety gloves nitrile, pair", (1.2, 6), 24, False),
            ("Hard hat", (6, 22), 5, False),
            ("Safety glasses", (2.5, 12), 10, False),
            ("Ear defenders", (8, 30), 3, False),
            ("Hi-vis vest", (2.5, 9), 10, False),
            ("Dust mask FFP2, box of 20", (9, 24), 4, False),
        ),
    },
    "Adhesives & Chemicals": {
        "digit": "5",
        "suppliers": ("ChemBond BV", "Voltaris SpA"),
        "variants": ("50 ml", "290 ml", "400 ml", "1 l", "5 l"),
        "items": (
            ("Epoxy adhesive", (5, 30), 3, False),
            ("Silicone sealant", (3, 11), 12, False),
            ("Thread locker medium", (6, 24), 3, False),
            ("Cutting oil", (5, 40), 2, False),
            ("Contact cleaner spray", (3, 9), 6, False),
        ),
    },
}
SKUS_PER_CATEGORY = (58, 56, 48, 38, 54, 46)  # 300 SKUs in all

# How many SKUs of each behaviour. Line rates are order lines per working day.
N_FAST, N_SLOW, N_DEAD, N_CHRONIC = 30, 45, 12, 8
N_CUSTOMERS = 180

ORDER_HEADERS = ("Order ID", "Line", "SKU", "Order Date", "Qty Ordered", "Qty Shipped", "Ship Date",
                 "Qty Cancelled", "Promised Date", "Unit Price", "Customer", "Location", "Status")
STOCK_HEADERS = ("SKU", "Location", "Qty On Hand", "Unit Cost", "Snapshot Date")
PRODUCT_HEADERS = ("SKU", "Description", "Category", "Supplier", "Unit Cost", "Lead Time Days")
PO_HEADERS = ("PO Number", "Line", "SKU", "Supplier", "Order Date", "Expected Date", "Received Date",
              "Qty Ordered", "Qty Received", "Unit Cost")
# The canonical column each header must be mapped onto: the demo checks the importer's mapping.
CANONICAL = {
    "orders": dict(zip(("order_id", "line_id", "sku", "order_date", "qty_ordered", "qty_shipped",
                        "ship_date", "qty_cancelled", "promised_date", "unit_price", "customer",
                        "location", "status"), ORDER_HEADERS)),
    "stock": dict(zip(("sku", "location", "qty_on_hand", "unit_cost", "snapshot_date"), STOCK_HEADERS)),
    "products": dict(zip(("sku", "description", "category", "supplier", "unit_cost", "lead_time_days"),
                         PRODUCT_HEADERS)),
    "purchase_orders": dict(zip(("po_id", "line_id", "sku", "supplier", "order_date", "expected_date",
                                 "received_date", "qty_ordered", "qty_received", "unit_cost"), PO_HEADERS)),
}


# --- calendar helpers -----------------------------------------------------------------------

def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    i = year * 12 + (month - 1) + n
    return i // 12, i % 12 + 1


def demo_months(today: dt.date | None = None) -> list[str]:
    """The 24 months ending with the month before today's, oldest first."""
    today = today or dt.date.today()
    return [f"{y:04d}-{m:02d}" for y, m in (_add_months(today.year, today.month, k) for k in range(-MONTHS, 0))]


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _next_weekday(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _qty(x: float) -> str:
    """Quantities: whole numbers as 12, metres as 12.5 (never a form the importer could misread)."""
    return str(int(x)) if x == int(x) else f"{x:.1f}"


def _money(x: float) -> str:
    return f"{x:.2f}"


# --- the world ------------------------------------------------------------------------------

@dataclass
class Sku:
    code: str
    description: str
    category: str
    supplier: Supplier
    kind: str  # fast | regular | slow | dead | chronic
    line_rate: float  # order lines per working day
    qty_median: float  # typical quantity of an order line
    per_metre: bool
    pack: float  # purchase pack size
    lead_time_days: int  # nominal, as in the product master
    base_cost: float
    cost_drift: float  # yearly cost inflation
    markup: float
    locations: tuple[str, ...]
    stop_day: dt.date | None = None  # dead SKUs: no demand and no reordering after this day
    second: Supplier | None = None  # a second source, given part of the reorders
    second_share: float = 0.0  # the share of reorders it gets
    second_lead_days: int = 0  # its confirmed lead time for this SKU
    second_cost_factor: float = 1.0  # its price against the main supplier's
    review_offset: int = 0  # chronic SKUs: which Monday of every four they are reviewed on


@dataclass
class Customer:
    code: str
    home: str  # the warehouse of its region
    discount: float
    promise_days: int
    weight: float


@dataclass
class OrderLine:
    order_id: str
    line_id: str
    sku: Sku
    location: str
    customer: Customer
    order_date: dt.date
    qty: float
    price: float
    promised: dt.date
    shipped: float = 0.0
    cancelled: float = 0.0
    ship_date: dt.date | None = None
    closed: dt.date | None = None
    cancel_on: dt.date | None = None  # the customer cancels what is still open on this day
    ship_from: dt.date | None = None  # picked from the next working day, or later when asked

    def __post_init__(self):
        if self.ship_from is None:
            self.ship_from = self.order_date + dt.timedelta(days=1)

    @property
    def open_qty(self) -> float:
        return self.qty - self.shipped - self.cancelled

    @property
    def status(self) -> str:
        if self.closed is not None:
            return "shipped" if self.shipped > 0 else "cancelled"
        return "partial" if self.shipped > 0 else "open"


@dataclass
class PoLine:
    po_id: str
    line_id: str
    sku: Sku
    supplier: Supplier
    location: str
    order_date: dt.date
    expected: dt.date
    qty: float
    cost: float
    received: float = 0.0
    received_date: dt.date | None = None
    closed: dt.date | None = None
    confirmed_on: dt.date | None = None  # the expected date is known (exported) from this day

    def expected_known(self, day: dt.date) -> bool:
        """Whether the expected date is known on day (a receipt implies a confirmation)."""
        return self.confirmed_on is None or self.confirmed_on <= day or self.received > 0


@dataclass
class DemoFile:
    dataset: str
    month: str | None
    path: Path


@dataclass
class DemoFiles:
    files: list[DemoFile]
    months: list[str]
    stats: dict = field(default_factory=dict)


class _World:
    """The day-by-day simulation. State is kept per key = (SKU code, location)."""

    def __init__(self, seed: int, months: list[str]):
        self.rng = np.random.default_rng(seed)  # master data, cancellations, re-promises, supplier delays
        # Streams of their own: the customers' demand (so that it stays the same whatever stock and
        # purchasing do) and the purchasing behaviour (second sources, allocations, confirmations).
        self.demand_rng = np.random.default_rng([seed, 1])
        self.po_rng = np.random.default_rng([seed, 10])
        self.months = months
        y, m = int(months[0][:4]), int(months[0][5:7])
        wy, wm = _add_months(y, m, -WARMUP_MONTHS)
        self.start = dt.date(wy, wm, 1)
        self.end = _month_end(int(months[-1][:4]), int(months[-1][5:7]))
        self.mid = self.start + (self.end - self.start) / 2
        self.skus = self._make_skus()
        self._make_second_sources()
        self.by_code = {s.code: s for s in self.skus}
        self.customers = self._make_customers()
        self.customer_p = np.array([c.weight for c in self.customers])
        self.customer_p /= self.customer_p.sum()
        self.costs = self._make_costs()

        self.keys = [(s.code, loc) for s in self.skus for loc in s.locations]
        self.on_hand = {k: 0.0 for k in self.keys}
        self.open_demand = {k: 0.0 for k in self.keys}
        self.on_order = {k: 0.0 for k in self.keys}
        self.queue: dict[tuple[str, str], list[OrderLine]] = {k: [] for k in self.keys}  # in order of entry
        self.open_pos: dict[tuple[str, str], list[PoLine]] = {k: [] for k in self.keys}
        self.arrivals: dict[dt.date, list[tuple[PoLine, float]]] = {}
        self.open_lines: dict[tuple[str, str], OrderLine] = {}  # (order, line) -> line, in order of entry
        self.live_lines: list[OrderLine] = []  # lines to export this month: open, or closed this month
        self.live_pos: list[PoLine] = []
        self.next_order, self.next_po = 100001, 40001

        self.policy = {k: self._policy(k) for k in self.keys}
        for k in self.keys:
            self.on_hand[k] = self._initial_stock(k)

        # Deliberate imperfections, few on purpose because each shows in an upload report:
        # two free-of-charge lines (price 0) in one month, and one stock row booked at the wrong
        # warehouse (a negative row elsewhere, the sum per SKU unchanged).
        zy, zm = int(months[-6][:4]), int(months[-6][5:7])
        self.zero_price_day = _next_weekday(dt.date(zy, zm, 12))
        self.zero_price_left = 2
        self.negative_row_month = months[-4]
        self.negative_row_sku: str | None = None

        self.stats = {"repromised": 0, "cancelled_lines": 0, "new_lines": 0, "po_lines": 0,
                      "second_source_po_lines": 0, "rows_per_month": {}, "unexpected_per_month": {}}

    # --- master data ----------------------------------------------------------------------

    def _make_skus(self) -> list[Sku]:
        rng = self.rng
        suppliers = {s.name: s for s in SUPPLIERS}
        skus: list[Sku] = []
        for (cat, spec), count in zip(CATEGORIES.items(), SKUS_PER_CATEGORY):
            numbers = sorted(rng.choice(np.arange(1, 10000), size=count, replace=False).tolist())
            seen_desc: set[str] = set()
            for n in numbers:
                code = f"{spec['digit']}{n:04d}"
                name, (c_lo, c_hi), q_med, per_metre = spec["items"][rng.integers(len(spec["items"]))]
                desc = f"{name} {spec['variants'][rng.integers(len(spec['variants']))]}"
                base_desc, k = desc, 2
                while desc in seen_desc:  # a second item with the same words gets a type number
                    desc, k = f"{base_desc} (type {k})", k + 1
                seen_desc.add(desc)
                supplier = suppliers[spec["suppliers"][rng.integers(len(spec["suppliers"]))]]
                cost = float(np.exp(rng.uniform(np.log(c_lo), np.log(c_hi))))
                q = q_med * float(np.exp(rng.normal(0, 0.4)))
                q = max(0.5, round(q * 2) / 2) if per_metre else max(1.0, round(q))
                pack = {True: 50.0, False: 1.0 if q <= 2 else 5.0 if q <= 6 else 10.0 if q <= 20 else 25.0}[per_metre]
                skus.append(Sku(
                    code=code, description=desc, category=cat, supplier=supplier, kind="regular",
                    line_rate=0.0, qty_median=q, per_metre=per_metre, pack=pack,
                    lead_time_days=supplier.lead_time_days + int(rng.integers(0, 8)),
                    base_cost=round(cost, 2), cost_drift=float(rng.uniform(0.0, 0.06)),
                    markup=float(rng.uniform(1.35, 2.1)), locations=("WH-NORTH",)))

        # Behaviours. Chronic backorders come from the long, unreliable supply chains.
        order = rng.permutation(len(skus)).tolist()
        long_lead = [i for i in order if skus[i].supplier.lead_time_days >= 28]
        chronic = long_lead[:N_CHRONIC]
        rest = [i for i in order if i not in chronic]
        fast, slow, dead = rest[:N_FAST], rest[N_FAST:N_FAST + N_SLOW], rest[N_FAST + N_SLOW:N_FAST + N_SLOW + N_DEAD]
        for i in range(len(skus)):
            skus[i].line_rate = float(rng.lognormal(np.log(0.3), 0.5))
        for i in fast:
            skus[i].kind, skus[i].line_rate = "fast", float(rng.uniform(1.2, 2.4))
        for i in slow:
            skus[i].kind, skus[i].line_rate = "slow", float(rng.uniform(0.01, 0.05))
        for i in dead:
            # Obsolete items: a trickle of demand that stops 7 to 15 months before the end,
            # leaving stock nobody buys (dead stock in the dashboard).
            skus[i].kind, skus[i].line_rate = "dead", float(rng.uniform(0.05, 0.15))
            skus[i].stop_day = self.end - dt.timedelta(days=int(rng.integers(215, 460)))
        for i in chronic:
            skus[i].kind, skus[i].line_rate = "chronic", float(rng.uniform(0.4, 0.8))

        # Regional warehouses stock part of the range; chronic SKUs live in one warehouse only,
        # so their shortage is not hidden by stock elsewhere.
        for s in skus:
            if s.kind in ("fast", "regular"):
                extra = [loc for loc, p in (("WH-SOUTH", 0.45), ("WH-EAST", 0.25)) if rng.random() < p]
                s.locations = ("WH-NORTH", *extra)
        return skus

    def _make_second_sources(self) -> None:
        """Some SKUs get a second supplier for part of the volume (another supplier of their
        category, at its own lead time and a slightly higher price); chronic SKUs get the Monday
        of their four-weekly review. Drawn from the purchasing stream."""
        rng = self.po_rng
        suppliers = {s.name: s for s in SUPPLIERS}
        for kind, count in SECOND_SOURCE.items():
            candidates = [s for s in self.skus if s.kind == kind]
            for i in sorted(rng.choice(len(candidates), size=min(count, len(candidates)), replace=False).tolist()):
                s = candidates[i]
                names = [n for n in CATEGORIES[s.category]["suppliers"] if n != s.supplier.name] \
                    or [ALTERNATE_SUPPLIER[s.category]]
                s.second = suppliers[names[0]]
                s.second_share = float(rng.uniform(0.2, 0.45))
                s.second_lead_days = s.second.lead_time_days + s.second.confirm_extra_days + int(rng.integers(0, 8))
                s.second_cost_factor = float(rng.uniform(0.92, 1.12))
        for s in self.skus:
            if s.kind == "chronic":
                s.review_offset = int(rng.integers(CHRONIC_REVIEW_WEEKS))

    def _make_customers(self) -> list[Customer]:
        rng = self.rng
        out = []
        for i in range(N_CUSTOMERS):
            out.append(Customer(
                code=f"CUST-{i + 1:04d}",
                home=LOCATIONS[rng.choice(3, p=LOCATION_WEIGHTS)],
                discount=float(rng.choice([0.0, 0.03, 0.05, 0.08, 0.12])),
                promise_days=int(rng.choice([3, 5, 7, 10, 14])),
                weight=float(rng.pareto(1.5) + 0.2)))  # a few big accounts, many small ones
        return out

    def _make_costs(self) -> dict[str, list[float]]:
        """Unit cost per SKU and simulated month: yearly inflation plus small monthly noise."""
        n_months = MONTHS + WARMUP_MONTHS
        costs = {}
        for s in self.skus:
            c, path = s.base_cost, []
            for _ in range(n_months):
                c *= 1 + s.cost_drift / 12 + float(self.rng.normal(0, 0.004))
                path.append(round(c, 2))
            costs[s.code] = path
        return costs

    def _month_index(self, day: dt.date) -> int:
        return (day.year - self.start.year) * 12 + day.month - self.start.month

    def _list_price(self, s: Sku, day: dt.date) -> float:
        # Prices rise 3% each January over the first year's list.
        return s.base_cost * s.markup * 1.03 ** (day.year - self.start.year)

    # --- demand and replenishment policy ---------------------------------------------------

    def _share(self, s: Sku, loc: str) -> float:
        """The part of the SKU's demand a warehouse serves (the customers of its region)."""
        weights = dict(zip(LOCATIONS, LOCATION_WEIGHTS))
        if loc != "WH-NORTH":
            return weights[loc]
        return 1.0 - sum(weights[other] for other in s.locations if other != "WH-NORTH")

    @staticmethod
    def _lead_days(s: Sku) -> int:
        """The lead time the main supplier confirms (expected date - order date, before moving a
        weekend date to the Monday): what buyers plan with."""
        return s.lead_time_days + s.supplier.confirm_extra_days

    def _policy(self, key) -> tuple[float, float]:
        """(reorder point, order-up-to level) on the inventory position, planned on the confirmed
        lead time (a late supplier's delays are not planned for: its SKUs run short now and then).
        Chronic SKUs are planned up to two weeks of demand, although they are reviewed every four
        weeks and wait two to three months for a receipt: open demand usually exceeds stock, and
        (with the supplier's allocation) the POs placed usually fall short of the backorder."""
        s = self._sku(key[0])
        mean_q = s.qty_median * 1.2
        units_per_day = s.line_rate * self._share(s, key[1]) * mean_q
        cover = self._lead_days(s) + REVIEW_DAYS
        if s.kind == "chronic":
            point = units_per_day * CHRONIC_COVER_DAYS
            return point, point + s.pack
        # Safety stock of one standard deviation of demand over lead time plus review: lines
        # arrive as Poisson, each of about mean_q units (x1.2 for the spread of line sizes).
        safety = math.sqrt(s.line_rate * self._share(s, key[1]) * cover) * mean_q * 1.2
        point = units_per_day * cover + safety
        return point, point + max(units_per_day * 28, s.pack)

    def _initial_stock(self, key) -> float:
        s = self._sku(key[0])
        point, up_to = self.policy[key]
        if s.kind == "dead":
            base = max(up_to * float(self.rng.uniform(3, 6)), 20 * s.qty_median)
        elif s.kind == "chronic":
            base = up_to * float(self.rng.uniform(0.0, 0.3))
        elif s.kind == "slow":
            base = max(up_to, 4 * s.qty_median) * float(self.rng.uniform(1.0, 3.0))
        else:
            # One regular SKU in twelve was overbought: excess stock for the dashboard to find.
            factor = 3.0 if self.rng.random() < 1 / 12 else float(self.rng.uniform(0.6, 1.0))
            base = up_to * factor
        return float(math.ceil(base / s.pack) * s.pack)

    def _sku(self, code: str) -> Sku:
        return self.by_code[code]

    def _season(self, day: dt.date) -> float:
        """Spring-summer peak, quiet Christmas weeks, slow growth over the two years."""
        doy = day.timetuple().tm_yday
        f = 1 + 0.08 * math.sin(2 * math.pi * (doy - 80) / 365)
        if day.month == 12 and day.day >= 20:
            f *= 0.6
        return f * (1 + 0.03 * (day - self.mid).days / 365)

    # --- one day --------------------------------------------------------------------------

    def run(self, export) -> None:
        """Simulate every day; call export(month, last_day) at the end of each exported month."""
        day = self.start
        while day <= self.end:
            self._receive(day)
            if day.weekday() < 5:
                self._cancel(day)
                self._ship(day)
                self._new_orders(day)
                if day.weekday() == 0:
                    self._repromise(day)
                    self._replenish(day)
            if (day + dt.timedelta(days=1)).month != day.month:
                month = f"{day.year:04d}-{day.month:02d}"
                if month in self.months:
                    export(month, day)
                # After the month's export, only lines still open carry into next month's file.
                self.live_lines = [ln for ln in self.live_lines if ln.closed is None]
                self.live_pos = [p for p in self.live_pos if p.closed is None]
            day += dt.timedelta(days=1)

    def _receive(self, day: dt.date) -> None:
        for po, qty in self.arrivals.pop(day, []):
            key = (po.sku.code, po.location)
            po.received += qty
            po.received_date = day
            self.on_hand[key] += qty
            self.on_order[key] -= qty
            if po.received >= po.qty:
                po.closed = day
                self.open_pos[key].remove(po)

    def _close(self, line: OrderLine, day: dt.date) -> None:
        line.closed = day
        self.open_lines.pop((line.order_id, line.line_id), None)

    def _cancel_rest(self, line: OrderLine, day: dt.date) -> None:
        rest = line.open_qty
        line.cancelled += rest
        self.open_demand[(line.sku.code, line.location)] -= rest
        self.stats["cancelled_lines"] += 1
        self._close(line, day)

    def _cancel(self, day: dt.date) -> None:
        for line in list(self.open_lines.values()):
            if line.cancel_on is not None and line.cancel_on <= day:
                self._cancel_rest(line, day)
            elif line.promised < day - dt.timedelta(days=14) and line.order_date < day - dt.timedelta(days=30):
                # Customers waiting long past the promise give up now and then.
                if self.rng.random() < 0.012:
                    self._cancel_rest(line, day)
            elif line.shipped > 0 and line.ship_date < day - dt.timedelta(days=30):
                # ... and so do some who got part of a line and wait a month for the rest.
                if self.rng.random() < 0.01:
                    self._cancel_rest(line, day)

    def _ship(self, day: dt.date) -> None:
        """First come, first served per SKU and warehouse, as far as stock goes: a line the
        stock cannot cover in full ships in part and waits for the next receipt."""
        for key, queue in self.queue.items():
            stock = self.on_hand[key]
            if stock <= 0 or not queue:
                continue
            waiting = []
            for line in queue:
                if line.closed is not None:  # cancelled meanwhile
                    continue
                if stock > 0 and line.ship_from <= day:
                    qty = min(line.open_qty, stock)
                    line.shipped += qty
                    line.ship_date = day
                    stock -= qty
                    self.open_demand[key] -= qty
                    if line.open_qty <= 0:
                        self._close(line, day)
                        continue
                waiting.append(line)
            self.queue[key] = waiting
            self.on_hand[key] = stock

    def _new_orders(self, day: dt.date) -> None:
        """Today's order lines: a Poisson number per SKU, shuffled and cut into orders of one to
        a handful of lines. Random draws are made per day in arrays (fast and reproducible), from
        the demand's own stream."""
        rng = self.demand_rng
        factor = self._season(day)
        rates = np.array([0.0 if (s.stop_day and day > s.stop_day) else s.line_rate * factor for s in self.skus])
        picks = np.repeat(np.arange(len(self.skus)), rng.poisson(rates))
        rng.shuffle(picks)
        n = len(picks)
        if n == 0:
            return
        sizes = 1 + rng.poisson(1.4, size=n)
        starts = np.concatenate(([0], np.cumsum(sizes)))
        starts = starts[starts < n].tolist() + [n]
        n_orders = len(starts) - 1
        customers = rng.choice(len(self.customers), size=n_orders, p=self.customer_p).tolist()
        order_cancel = (rng.random(n_orders) < 0.012).tolist()  # called off the next day
        qty_factor = rng.lognormal(0, 0.6, size=n).tolist()
        line_cancel = (rng.random(n) < 0.01).tolist()  # changed its mind later, if still open then
        cancel_after = rng.integers(3, 25, size=n).tolist()
        # Call-off lines: the customer wants them in one to four months. They sit in the backlog
        # (and fill its older age buckets) until shortly before the requested date.
        call_off = (rng.random(n) < 0.015).tolist()
        call_off_days = rng.integers(30, 125, size=n).tolist()
        for o in range(n_orders):
            customer = self.customers[customers[o]]
            order_id = f"SO{self.next_order}"
            self.next_order += 1
            for n_line, i in enumerate(range(starts[o], starts[o + 1]), start=1):
                s = self.skus[picks[i]]
                location = customer.home if customer.home in s.locations else "WH-NORTH"
                q = s.qty_median * qty_factor[i]
                q = max(0.5, round(q * 2) / 2) if s.per_metre else float(max(1, round(q)))
                price = round(self._list_price(s, day) * (1 - customer.discount), 2)
                if day == self.zero_price_day and self.zero_price_left > 0:
                    price, self.zero_price_left = 0.0, self.zero_price_left - 1  # free replacement
                promise_days = call_off_days[i] if call_off[i] else customer.promise_days
                line = OrderLine(order_id, str(n_line), s, location, customer, day, q, price,
                                 promised=_next_weekday(day + dt.timedelta(days=promise_days)))
                if call_off[i]:
                    line.ship_from = line.promised - dt.timedelta(days=3)
                if order_cancel[o]:
                    line.cancel_on = day + dt.timedelta(days=1)
                elif line_cancel[i]:
                    line.cancel_on = day + dt.timedelta(days=cancel_after[i])
                key = (s.code, location)
                self.queue[key].append(line)
                self.open_demand[key] += q
                self.open_lines[(order_id, line.line_id)] = line
                self.live_lines.append(line)
                self.stats["new_lines"] += 1

    def _repromise(self, day: dt.date) -> None:
        """Planners re-promise most past-due lines to the next expected receipt."""
        for line in self.open_lines.values():
            if line.promised < day and self.rng.random() < 0.7:
                pos = self.open_pos[(line.sku.code, line.location)]
                nxt = min((p.expected for p in pos if p.expected_known(day)),
                          default=day + dt.timedelta(days=line.sku.lead_time_days))
                line.promised = _next_weekday(max(day + dt.timedelta(days=7), nxt + dt.timedelta(days=3)))
                self.stats["repromised"] += 1

    def _replenish(self, day: dt.date) -> None:
        """Weekly (s, S) review on the inventory position; one purchase order per supplier.
        A SKU with a second source sends it part of its reorders. Chronic SKUs are reviewed every
        fourth week only and get only part of what is asked (the supplier's allocation)."""
        rng, po_rng = self.rng, self.po_rng
        week = (day - self.start).days // 7
        by_supplier: dict[str, list[tuple[tuple[str, str], float, Supplier, int]]] = {}
        for key in self.keys:
            s = self._sku(key[0])
            if s.stop_day and day > s.stop_day:
                continue  # discontinued: nobody reorders it
            if s.kind == "chronic" and (week + s.review_offset) % CHRONIC_REVIEW_WEEKS:
                continue
            point, up_to = self.policy[key]
            position = self.on_hand[key] + self.on_order[key] - self.open_demand[key]
            if position < point:
                qty = math.ceil((up_to - position) / s.pack) * s.pack
                if s.kind == "chronic":
                    allocated = qty * float(po_rng.uniform(*CHRONIC_ALLOCATION))
                    qty = max(s.pack, math.floor(allocated / s.pack) * s.pack)
                supplier, lead = s.supplier, self._lead_days(s)
                if s.second is not None and po_rng.random() < s.second_share:
                    supplier, lead = s.second, s.second_lead_days
                by_supplier.setdefault(supplier.name, []).append((key, float(qty), supplier, lead))
        for name, wanted in by_supplier.items():
            po_id = f"PO{self.next_po}"
            self.next_po += 1
            for n, (key, qty, supplier, lead) in enumerate(wanted, start=1):
                s = self._sku(key[0])
                cost = self.costs[s.code][self._month_index(day)]
                if supplier is not s.supplier:
                    cost = round(cost * s.second_cost_factor, 2)
                    self.stats["second_source_po_lines"] += 1
                # the supplier confirms a working day
                expected = _next_weekday(day + dt.timedelta(days=lead))
                po = PoLine(po_id, str(n), s, supplier, key[1], day, expected, qty, cost)
                if po_rng.random() < UNCONFIRMED_P:
                    po.confirmed_on = day + dt.timedelta(days=int(po_rng.integers(3, 11)))
                delay = max(-3, round(rng.normal(supplier.delay_mean, supplier.delay_sd)))
                arrival = _next_weekday(po.expected + dt.timedelta(days=delay))
                if rng.random() < supplier.short_p and qty >= 4:  # short delivery: the rest follows 1-3 weeks later
                    first = math.floor(qty * float(rng.uniform(0.5, 0.9)))
                    later = _next_weekday(arrival + dt.timedelta(days=int(rng.integers(7, 22))))
                    self.arrivals.setdefault(arrival, []).append((po, float(first)))
                    self.arrivals.setdefault(later, []).append((po, qty - first))
                else:
                    self.arrivals.setdefault(arrival, []).append((po, qty))
                self.on_order[key] += qty
                self.open_pos[key].append(po)
                self.live_pos.append(po)
                self.stats["po_lines"] += 1


# --- files ----------------------------------------------------------------------------------

def _write_csv(path: Path, headers, rows) -> int:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(headers)
        n = 0
        for row in rows:
            writer.writerow(row)
            n += 1
    return n


def write_demo_files(folder: str | Path, seed: int = 7, today: dt.date | None = None) -> DemoFiles:
    """Simulate and write the demo's CSV files into folder: products.csv, then per month
    stock_YYYY-MM.csv, orders_YYYY-MM.csv and purchase_orders_YYYY-MM.csv (load order)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    months = demo_months(today)
    world = _World(seed, months)
    files: list[DemoFile] = []

    def export(month: str, end: dt.date) -> None:
        mi = world._month_index(end)
        stock_rows = []
        for code, loc in world.keys:
            qty = world.on_hand[(code, loc)]
            cost = _money(world.costs[code][mi])
            if month == world.negative_row_month and qty >= 5 and len(world._sku(code).locations) == 1 \
                    and world.negative_row_sku is None:
                # Three units issued at WH-SOUTH in the system but picked at WH-NORTH.
                stock_rows.append((code, loc, _qty(qty + 3), cost, end.isoformat()))
                stock_rows.append((code, "WH-SOUTH", "-3", cost, end.isoformat()))
                world.negative_row_sku = code
                continue
            stock_rows.append((code, loc, _qty(qty), cost, end.isoformat()))
        path = folder / f"stock_{month}.csv"
        _write_csv(path, STOCK_HEADERS, stock_rows)
        files.append(DemoFile("stock", month, path))

        def order_row(ln: OrderLine):
            return (ln.order_id, ln.line_id, ln.sku.code, ln.order_date.isoformat(), _qty(ln.qty),
                    _qty(ln.shipped), ln.ship_date.isoformat() if ln.ship_date else "", _qty(ln.cancelled),
                    ln.promised.isoformat(), _money(ln.price), ln.customer.code, ln.location, ln.status)

        path = folder / f"orders_{month}.csv"
        world.stats["rows_per_month"][month] = _write_csv(path, ORDER_HEADERS, map(order_row, world.live_lines))
        files.append(DemoFile("orders", month, path))

        def po_row(p: PoLine):
            return (p.po_id, p.line_id, p.sku.code, p.supplier.name, p.order_date.isoformat(),
                    p.expected.isoformat() if p.expected_known(end) else "",
                    p.received_date.isoformat() if p.received_date else "",
                    _qty(p.qty), _qty(p.received), _money(p.cost))

        path = folder / f"purchase_orders_{month}.csv"
        _write_csv(path, PO_HEADERS, map(po_row, world.live_pos))
        world.stats["unexpected_per_month"][month] = sum(not p.expected_known(end) for p in world.live_pos)
        files.append(DemoFile("purchase_orders", month, path))

    world.run(export)

    # The item master as exported today: current standard cost and nominal lead time.
    path = folder / "products.csv"
    _write_csv(path, PRODUCT_HEADERS, (
        (s.code, s.description, s.category, s.supplier.name, _money(world.costs[s.code][-1]),
         str(s.lead_time_days)) for s in world.skus))
    files.insert(0, DemoFile("products", None, path))

    kinds = {}
    for s in world.skus:
        kinds.setdefault(s.kind, []).append(s.code)
    world.stats.update(
        skus=len(world.skus), categories=len(CATEGORIES), suppliers=len(SUPPLIERS), locations=len(LOCATIONS),
        customers=N_CUSTOMERS, kinds=kinds, negative_stock_sku=world.negative_row_sku,
        second_source_skus=sorted(s.code for s in world.skus if s.second is not None))
    return DemoFiles(files, months, world.stats)


def _load_demo_files(store, demo: DemoFiles, actor: str) -> int:
    """Load each demo file through the importer (the store's load, without the service's refresh
    of figures after each); returns the count of flawed rows reported."""
    from .store import load_file

    warnings = 0
    for f in demo.files:
        prep, result = load_file(store, f.path, dataset=f.dataset, month=f.month, actor=actor)
        if result is None:
            raise RuntimeError(f"The demo file {f.path.name} was refused by the importer:\n"
                               f"{prep.refusal().summary()}")
        # A column silently left unmapped would lose data without refusing the file.
        if prep.mapping != CANONICAL[f.dataset]:
            raise RuntimeError(f"The importer mapped the demo file {f.path.name} as {prep.mapping}, "
                               f"expected {CANONICAL[f.dataset]}.")
        warnings += sum(x.count for x in prep.findings)
    return warnings


def write_demo_store(store, seed: int = 7, *, today: dt.date | None = None,
                     folder: str | Path | None = None, actor: str = "local") -> str:
    """Write the demo files (into folder, else a temporary folder) and load each one through the
    importer into store, as a user's uploads are. Raises if any file is refused or mis-mapped.
    Returns a one-paragraph summary. Each load, and the demo as a whole, is in the audit log as
    done by `actor`."""
    from . import audit
    from .kpis import fill_month_figures

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="stocklens-demo-") as tmp:
        demo = write_demo_files(folder or tmp, seed=seed, today=today)
        warnings = _load_demo_files(store, demo, actor)
        fill_month_figures(store, None)  # once, after the last file
    audit.record(store.path, actor, "demo", f"{demo.months[0]} to {demo.months[-1]}", seed=seed)
    seconds = time.perf_counter() - started

    st = demo.stats
    rows = st["rows_per_month"].values()
    kinds = {kind: st["kinds"].get(kind, []) for kind in ("dead", "slow", "chronic")}
    zero_led = sorted(code for codes in st["kinds"].values() for code in codes if code.startswith("00"))
    return (
        f"Demo store written to {store.path} in {seconds:.1f} s (seed {seed}): {len(demo.months)} months "
        f"({demo.months[0]} to {demo.months[-1]}) of orders, stock and purchase orders plus the product "
        f"master, each file loaded through the importer like any upload. {st['skus']} SKUs in "
        f"{st['categories']} categories from {st['suppliers']} suppliers, stocked in {st['locations']} "
        f"warehouses and sold to {st['customers']} customers; {min(rows):,} to {max(rows):,} order lines "
        f"per monthly file ({st['new_lines']:,} lines ordered in all, {st['cancelled_lines']:,} of them "
        f"cancelled in whole or in part, {st['repromised']:,} re-promises, {st['po_lines']:,} purchase "
        f"order lines, {st['second_source_po_lines']:,} of them to a SKU's second supplier). Look for partial "
        f"shipments, {len(kinds['dead'])} dead and {len(kinds['slow'])} slow movers (e.g. "
        f"{', '.join(kinds['dead'][:3])}), {len(kinds['chronic'])} chronically backordered SKUs (e.g. "
        f"{', '.join(kinds['chronic'][:3])}: reordered late and short, part of their backorder is on no PO) "
        f"and codes that keep their leading zeros (e.g. {', '.join(zero_led[:2])}). Purchasing: "
        f"{len(st['second_source_skus'])} SKUs bought from two suppliers (e.g. "
        f"{', '.join(st['second_source_skus'][:2])}); {RELIABLE} delivers on time and in full, {OFTEN_LATE} "
        f"is often late and short, {LONG_LEAD} takes far longer than the product master's lead times; "
        f"{st['unexpected_per_month'][demo.months[-1]]} PO lines of the last month are not confirmed yet "
        f"(no expected date). The upload reports show {warnings} deliberately flawed rows "
        f"(free-of-charge lines, one negative stock row). Try `python -m stocklens kpis --month "
        f"{demo.months[-1]}`."
    )
