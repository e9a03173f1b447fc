"""Column mapping: file headers -> canonical columns (kpi-book section 4).

Known synonyms map automatically (Shopify order and inventory exports, common ERP names in
English, Spanish, Italian, German, French). Within a dataset, synonyms are listed best first:
when two file columns could both be one canonical column, the better synonym wins.
A mapping the user confirms is remembered by the store for that header layout.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata

from . import datasets, limits

_SKU = [
    "sku", "lineitem sku", "variant sku", "item code", "item number", "item no", "item id", "itemcode",
    "stockcode", "stock code", "material", "material number", "product code", "product id",
    "article", "article number", "article no", "part number", "part no", "internal reference",
    "default code", "product", "seller sku", "codigo", "codigo articulo", "articulo", "referencia", "codice",
    "codice articolo", "articolo", "artikel", "artikelnummer", "artikel nr", "reference", "ref",
]
_LOCATION = [
    "location", "warehouse", "site", "plant", "storage location", "store", "bin", "bin name", "almacen",
    "magazzino", "deposito", "lager", "lagerort", "werk", "centro", "entrepot",
]

SYNONYMS: dict[str, dict[str, list[str]]] = {
    "orders": {
        "order_id": [
            "order id", "order number", "order no", "order nr", "order", "sales order", "sales order number",
            "sales document", "so number", "so", "invoiceno", "invoice no", "invoice number", "invoice",
            "document number", "document no", "order reference", "amazon order id", "numero pedido", "pedido", "n pedido",
            "numero ordine", "ordine", "auftrag", "auftragsnummer", "bestellnummer", "commande", "name",
        ],
        "line_id": [
            "line id", "line", "line no", "line number", "line nr", "order line", "position", "pos", "posnr",
            "item line", "linea", "riga", "lineitem id",
        ],
        "sku": _SKU,
        "order_date": [
            "order date", "created at", "invoicedate", "invoice date", "document date", "order created",
            "date ordered", "created", "date", "fecha pedido", "fecha", "data ordine", "data",
            "auftragsdatum", "bestelldatum", "date order", "date commande", "purchase date",
        ],
        "qty_ordered": [
            "qty ordered", "quantity ordered", "ordered qty", "ordered quantity", "order qty",
            "order quantity", "lineitem quantity", "product uom qty", "quantity", "qty", "cantidad",
            "cantidad pedida", "quantita", "quantita ordinata", "menge", "bestellmenge", "auftragsmenge",
        ],
        "qty_shipped": [
            "qty shipped", "quantity shipped", "shipped qty", "shipped quantity", "delivered qty",
            "delivered quantity", "quantity delivered", "qty delivered", "fulfilled quantity",
            "cantidad enviada", "cantidad entregada", "quantita spedita", "quantita evasa",
            "gelieferte menge", "liefermenge", "delivered",
        ],
        "ship_date": [
            "ship date", "shipped date", "shipping date", "date shipped", "delivery date", "actual ship date",
            "goods issue date", "fulfilled at", "fecha envio", "fecha entrega", "data spedizione",
            "lieferdatum", "date expedition",
        ],
        "qty_cancelled": [
            "qty cancelled", "qty canceled", "quantity cancelled", "quantity canceled", "cancelled qty",
            "canceled qty", "cancelled quantity", "canceled quantity", "cantidad cancelada",
            "quantita annullata", "stornierte menge",
        ],
        "promised_date": [
            "promised date", "promise date", "due date", "requested date", "requested delivery date",
            "commitment date", "confirmed date", "committed date", "fecha prometida",
            "data consegna prevista", "data consegna", "wunschtermin", "liefertermin",
        ],
        "unit_price": [
            "unit price", "unitprice", "lineitem price", "price", "selling price", "sales price", "net price",
            "price unit", "precio unitario", "precio", "prezzo unitario", "prezzo", "einzelpreis", "preis",
            "prix unitaire", "prix",
        ],
        "customer": [
            "customer", "customer id", "customerid", "customer name", "customer number", "client", "sold to",
            "sold to party", "email", "billing name", "partner", "cliente", "kunde", "kundennummer",
        ],
        "location": _LOCATION,
        "status": [
            "line status", "lineitem fulfillment status", "item status", "status", "order status", "fulfillment status",
            "state", "estado", "stato",
        ],
        "cancelled_at": ["cancelled at", "canceled at", "cancellation date", "date cancelled"],
        "sku_name": ["lineitem name", "product name", "item name", "item description", "description"],
        "line_amount": ["item price", "line total", "line amount"],
    },
    "stock": {
        "sku": _SKU,
        "qty_on_hand": [
            "qty on hand", "quantity on hand", "on hand", "on hand qty", "on hand current", "onhand",
            "stock on hand", "soh", "unrestricted", "unrestricted stock", "stock", "stock level",
            "inventory", "inventory total", "afn fulfillable quantity", "quantity", "qty", "available",
            "available not editable", "libre utilizacion", "frei verwendbar", "existencias", "giacenza",
            "bestand", "quantita",
        ],
        "unit_cost": [
            "unit cost", "cost", "cost price", "standard cost", "standard price", "average cost", "avg cost",
            "moving average price", "cost per item", "valuation price", "supply price", "costo", "coste",
            "costo unitario", "einstandspreis",
        ],
        "location": _LOCATION,
        "snapshot_date": ["snapshot date", "stock date", "as of", "as of date", "count date", "date", "fecha"],
        "sku_name": ["title", "product name", "item name", "name", "material description", "handle"],
        "variant_1": ["option1 value", "variant option one value"],
        "variant_2": ["option2 value", "variant option two value"],
        "variant_3": ["option3 value", "variant option three value"],
        "storage_location": ["storage location", "stor loc", "sloc", "almacen", "lagerort"],
        "stock_value": ["value unrestricted", "valor libre util", "valor libre utilizacion", "wert frei verwendbar",
                        "stock value", "inventory value", "total value"],
    },
    "products": {
        "sku": _SKU,
        "description": ["description", "item description", "product name", "name", "title",
                        "material description", "descripcion",
                        "descrizione", "bezeichnung"],
        "category": ["category", "product category", "product type", "type", "item group", "material group",
                     "family", "categoria", "kategorie", "warengruppe"],
        "supplier": ["supplier", "supplier name", "vendor", "main supplier", "preferred vendor", "proveedor",
                     "fornitore", "lieferant"],
        "unit_cost": ["unit cost", "cost", "cost per item", "standard cost", "standard price", "cost price",
                      "supply price", "costo", "coste"],
        "lead_time_days": ["lead time days", "lead time", "leadtime", "delivery time", "lead time d",
                           "plazo de entrega", "tempo di consegna", "lieferzeit"],
    },
    "purchase_orders": {
        "po_id": ["po id", "po number", "po", "purchase order", "purchase order number", "purchasing document",
                  "documento compras", "documento de compras", "einkaufsbeleg", "order number", "order id"],
        "line_id": ["line id", "line", "line no", "line number", "item line", "position", "pos", "item",
                    "posicion"],
        "sku": _SKU,
        # (the vendor's name before its number: SAP writes both)
        "supplier": ["name of vendor", "vendor name", "supplier name", "nombre del proveedor",
                     "name des lieferanten", "supplier", "vendor", "proveedor", "fornitore", "lieferant"],
        "order_date": ["order date", "po date", "document date", "fecha documento", "fecha de documento",
                       "belegdatum", "created at", "date"],
        "expected_date": ["expected date", "due date", "promised date", "confirmed date", "delivery date",
                          "expected delivery date", "fecha de entrega", "fecha entrega", "lieferdatum"],
        "received_date": ["received date", "receipt date", "goods receipt date", "date received"],
        "qty_ordered": ["qty ordered", "quantity ordered", "order qty", "ordered quantity", "order quantity",
                        "cantidad de pedido", "cantidad pedido", "bestellmenge", "quantity", "qty"],
        "qty_received": ["qty received", "quantity received", "received qty", "received quantity"],
        "unit_cost": ["unit cost", "unit price", "price", "cost", "net price", "precio neto", "nettopreis"],
        "qty_open": ["still to be delivered qty", "still to be delivered quantity", "por entregar cantidad",
                     "noch zu liefern menge", "open quantity", "open qty"],
    },
}


def normalise(header: str) -> str:
    """'Lineitem SKU ' -> 'lineitem sku'; 'Cantidad_Pedida' -> 'cantidad pedida'; accents dropped."""
    s = unicodedata.normalize("NFKD", header)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", s).lower()
    s = re.sub(r"[^a-z0-9]+", " ", s)
    return s.strip()


def propose(dataset: str, headers: list[str]) -> dict[str, str]:
    """canonical -> file header, from synonyms, each file column used at most once."""
    synonyms = SYNONYMS[datasets.get(dataset).name]
    norm = {h: normalise(h) for h in headers}
    candidates = []  # (rank, canonical order, canonical, header)
    for ci, (canonical, words) in enumerate(synonyms.items()):
        for rank, word in enumerate(words):
            for h, n in norm.items():
                if n == word:
                    candidates.append((rank, ci, canonical, h))
    candidates.sort()
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for _, _, canonical, h in candidates:
        if canonical in mapping or h in used:
            continue
        mapping[canonical] = h
        used.add(h)
    return mapping


# Stock exports with one quantity column per location: the location is in the column's name.
_VEND_LOCATION = re.compile(r"^inventory_(.+)$", re.I)  # Vend / Lightspeed: inventory_Main_Outlet
_NAMED_LOCATION = re.compile(r"^(?:on hand|available|stock|inventory)\s*\((.+)\)$", re.I)  # On hand (Main Warehouse)
_NOT_A_LOCATION = {"total", "current", "new", "not editable"}
# The columns of Shopify's inventory export other than its per-location quantity columns.
_SHOPIFY_INVENTORY = {
    "handle", "title", "option1 name", "option1 value", "option2 name", "option2 value", "option3 name",
    "option3 value", "sku", "barcode", "variant barcode", "hs code", "coo", "location", "bin name",
    "incoming not editable", "unavailable not editable", "committed not editable", "available not editable",
    "on hand current", "on hand new",
}


def location_quantity_columns(headers: list[str]) -> dict[str, str]:
    """file header -> location, for stock exports that give each location's quantity in its own
    column: Vend/Lightspeed `inventory_Main_Outlet`, Shopify `On hand (Main Warehouse)`, and
    Shopify's older export where the column is the location's name itself ("Main Warehouse":
    a column not of Shopify's own, in a file with Shopify's inventory columns and no quantity
    column). Empty for any other file."""
    by_kind: dict[str, dict[str, str]] = {}  # "on hand" -> {header: location}
    for h in headers:
        m = _VEND_LOCATION.match(h.strip()) or _NAMED_LOCATION.match(h.strip())
        if m and normalise(m.group(1)) not in _NOT_A_LOCATION:
            kind = "inventory" if m.re is _VEND_LOCATION else normalise(h.strip()[:m.start(1)])
            name = m.group(1).replace("_", " ") if m.re is _VEND_LOCATION else m.group(1)
            by_kind.setdefault(kind, {})[h] = name.strip()
    # one kind of quantity per location: on hand before stock, inventory and available
    for kind in ("on hand", "inventory", "stock", "available"):
        if kind in by_kind:
            return by_kind[kind]
    norm = {h: normalise(h) for h in headers}
    quantities = set(SYNONYMS["stock"]["qty_on_hand"]) | {"on hand new", "location"}
    if {"handle", "title", "sku", "option1 name"} <= set(norm.values()) and not quantities & set(norm.values()):
        return {h: h for h, n in norm.items() if n not in _SHOPIFY_INVENTORY}
    return {}


def guess_dataset(headers: list[str], file_name: str = "", learned: str | None = None) -> str:
    """The dataset that explains the file best. `learned` (the dataset this header layout was
    last loaded or chosen as, remembered by the store) wins. Otherwise each dataset scores the
    share of its required columns found times the file columns it uses, a required column
    counting twice (ties: file name, then orders). So a dataset whose one required column is
    found (the product master: sku) does not beat one that uses more of the file and misses one
    required column: "Order No, Item Code, Order Date, Customer" is orders (missing its quantity),
    and a product dump with a quantity per outlet is stock, not a product master."""
    if learned in datasets.DATASETS:
        return learned
    name = normalise(file_name)
    hints = {
        "stock": ("stock", "inventory", "inventario", "bestand", "giacenz", "on hand"),
        "products": ("product", "item master", "articul", "material master", "catalog"),
        "purchase_orders": ("purchase", "po ", "compras", "acquist"),
        "orders": ("order", "sales", "invoice", "pedido", "ordini", "retail"),
    }
    per_location = location_quantity_columns(headers)
    best, best_score = "orders", (-1.0, 0)
    for ds_name, ds in datasets.DATASETS.items():
        mapping = propose(ds_name, headers)
        if ds_name == "stock" and per_location:
            mapping.update(qty_on_hand="(per location)", location="(per location)")
        found = sum(1 for c in ds.required if c in mapping)
        weight = len(mapping) + found  # a required column counts twice
        hint = 1 if any(h in name for h in hints[ds_name]) else 0
        score = (found / len(ds.required) * weight, hint)
        if score > best_score:
            best, best_score = ds_name, score
    return best


def header_hash(headers: list[str]) -> str:
    """Identifies a header row whatever the dataset (case, spacing and accents aside)."""
    joined = "\x1f".join(normalise(h) for h in headers)
    return hashlib.sha256(joined.encode()).hexdigest()[:16]


def layout_key(dataset: str, headers: list[str]) -> str:
    """Identifies a header layout, so a confirmed mapping is reused for the next file like it."""
    return dataset + ":" + header_hash(headers)


def parse_overrides(items: list[str] | None, headers: list[str], dataset: str) -> dict[str, str | None]:
    """'SOURCE COLUMN=canonical' (or 'SOURCE COLUMN=' to unmap) -> {canonical: source}."""
    ds = datasets.get(dataset)
    names = {c.name for c in ds.columns}
    out: dict[str, str | None] = {}
    for item in items or []:
        if "=" not in item:
            raise ValueError(f"--map {item!r}: write it as \"SOURCE COLUMN=canonical\"")
        source, canonical = (p.strip() for p in item.rsplit("=", 1))
        if canonical and canonical not in names:
            raise ValueError(
                f"--map {item!r}: {canonical!r} is not a column of {dataset}; "
                f"columns are: {', '.join(sorted(names))}"
            )
        if source not in headers:
            raise ValueError(
                f"--map {item!r}: the file has no column {source!r}; its columns are: {limits.name_list(headers)}"
            )
        out[canonical or f"__unmap__{source}"] = source if canonical else None
    return out


def apply_overrides(mapping: dict[str, str], overrides: dict[str, str | None]) -> dict[str, str]:
    result = dict(mapping)
    for canonical, source in overrides.items():
        if canonical.startswith("__unmap__"):
            src = canonical.removeprefix("__unmap__")
            result = {k: v for k, v in result.items() if v != src}
            continue
        # a source column feeds one canonical column: drop its other use
        result = {k: v for k, v in result.items() if v != source}
        result[canonical] = source
    return result
