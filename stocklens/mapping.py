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
    "default code", "product", "codigo", "codigo articulo", "articulo", "referencia", "codice",
    "codice articolo", "articolo", "artikel", "artikelnummer", "artikel nr", "reference", "ref",
]
_LOCATION = [
    "location", "warehouse", "site", "plant", "storage location", "store", "bin", "bin name", "almacen",
    "magazzino", "deposito", "lager", "lagerort", "werk", "entrepot",
]

SYNONYMS: dict[str, dict[str, list[str]]] = {
    "orders": {
        "order_id": [
            "order id", "order number", "order no", "order nr", "order", "sales order", "sales order number",
            "sales document", "so number", "so", "invoiceno", "invoice no", "invoice number", "invoice",
            "document number", "document no", "order reference", "numero pedido", "pedido", "n pedido",
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
            "auftragsdatum", "bestelldatum", "date order", "date commande",
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
            "gelieferte menge", "liefermenge",
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
            "line status", "lineitem fulfillment status", "status", "order status", "fulfillment status",
            "state", "estado", "stato",
        ],
        "cancelled_at": ["cancelled at", "canceled at", "cancellation date", "date cancelled"],
        "sku_name": ["lineitem name", "product name", "item name", "item description", "description"],
    },
    "stock": {
        "sku": _SKU,
        "qty_on_hand": [
            "qty on hand", "quantity on hand", "on hand", "on hand qty", "on hand current", "onhand",
            "stock on hand", "soh", "unrestricted", "unrestricted stock", "stock", "stock level",
            "inventory", "quantity", "qty", "available", "available not editable", "existencias",
            "giacenza", "bestand", "quantita",
        ],
        "unit_cost": [
            "unit cost", "cost", "cost price", "standard cost", "standard price", "average cost", "avg cost",
            "moving average price", "cost per item", "valuation price", "costo", "coste", "costo unitario",
            "einstandspreis",
        ],
        "location": _LOCATION,
        "snapshot_date": ["snapshot date", "stock date", "as of", "as of date", "count date", "date", "fecha"],
        "sku_name": ["title", "product name", "item name", "handle"],
        "variant_1": ["option1 value"],
        "variant_2": ["option2 value"],
        "variant_3": ["option3 value"],
    },
    "products": {
        "sku": _SKU,
        "description": ["description", "item description", "product name", "name", "title", "descripcion",
                        "descrizione", "bezeichnung"],
        "category": ["category", "product category", "product type", "type", "item group", "material group",
                     "family", "categoria", "kategorie", "warengruppe"],
        "supplier": ["supplier", "vendor", "main supplier", "preferred vendor", "proveedor", "fornitore",
                     "lieferant"],
        "unit_cost": ["unit cost", "cost", "cost per item", "standard cost", "standard price", "cost price",
                      "costo", "coste"],
        "lead_time_days": ["lead time days", "lead time", "leadtime", "delivery time", "lead time d",
                           "plazo de entrega", "tempo di consegna", "lieferzeit"],
    },
    "purchase_orders": {
        "po_id": ["po id", "po number", "po", "purchase order", "purchase order number", "purchasing document",
                  "order number", "order id"],
        "line_id": ["line id", "line", "line no", "line number", "item line", "position", "pos"],
        "sku": _SKU,
        "supplier": ["supplier", "vendor", "proveedor", "fornitore", "lieferant"],
        "order_date": ["order date", "po date", "document date", "created at", "date"],
        "expected_date": ["expected date", "due date", "promised date", "confirmed date", "delivery date",
                          "expected delivery date"],
        "received_date": ["received date", "receipt date", "goods receipt date", "date received"],
        "qty_ordered": ["qty ordered", "quantity ordered", "order qty", "ordered quantity", "quantity", "qty"],
        "qty_received": ["qty received", "quantity received", "received qty", "received quantity"],
        "unit_cost": ["unit cost", "unit price", "price", "cost", "net price"],
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


def guess_dataset(headers: list[str], file_name: str = "") -> str:
    """The dataset that explains the file best: the share of its required columns found times
    the number of file columns it uses (ties: file name, then orders). So a dataset whose one
    required column is found (the product master: sku) does not beat one that uses more of the
    file and misses one required column: "Order No, Item Code, Order Date, Customer" is orders
    (missing its quantity), not a product master."""
    name = normalise(file_name)
    hints = {
        "stock": ("stock", "inventory", "inventario", "bestand", "giacenz", "on hand"),
        "products": ("product", "item master", "articul", "material master", "catalog"),
        "purchase_orders": ("purchase", "po ", "compras", "acquist"),
        "orders": ("order", "sales", "invoice", "pedido", "ordini", "retail"),
    }
    best, best_score = "orders", (-1.0, 0)
    for ds_name, ds in datasets.DATASETS.items():
        mapping = propose(ds_name, headers)
        covered = sum(1 for c in ds.required if c in mapping) / len(ds.required)
        hint = 1 if any(h in name for h in hints[ds_name]) else 0
        score = (covered * len(mapping), hint)
        if score > best_score:
            best, best_score = ds_name, score
    return best


def layout_key(dataset: str, headers: list[str]) -> str:
    """Identifies a header layout, so a confirmed mapping is reused for the next file like it."""
    joined = "\x1f".join(normalise(h) for h in headers)
    return dataset + ":" + hashlib.sha256(joined.encode()).hexdigest()[:16]


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
