-- insert_purchase_orders: store a prepared purchase-order upload (`incoming`) as load $load_id of
-- $month, one row per PO line version: rows sharing the line key (po_id, line_id else sku) are one
-- line, their quantities summed (the first row's SKU and supplier; the earliest order date, the
-- latest expected and received dates, the mean unit cost). With the receipt event the version
-- contributes against the line's latest active version of an earlier month (po_receipt_on,
-- 11_po_formulas): received_increment dated received_date, else the month's last day. Later
-- months' versions are fixed by facts/po_version_increments.
-- grain: one row per PO line. parameters: $load_id, $month. inputs: incoming, purchase_orders.
insert into po_lines by name
with
keyed as (
    select *, po_line_key(line_id, sku) as line_key, po_line_uid(po_id, line_id, sku) as po_uid
    from incoming
),
versions as (
    select
        po_uid,
        arg_min(po_id, __row) as po_id,
        arg_min(line_key, __row) as line_key,
        arg_min_null(line_id, __row) as line_id,
        arg_min(sku, __row) as sku,
        arg_min(supplier, __row) filter (where supplier is not null) as supplier,
        min(order_date) as order_date,
        max(expected_date) as expected_date,
        max(received_date) as received_date,
        sum(qty_ordered) as qty_ordered,
        coalesce(sum(qty_received), 0) as qty_received,
        avg(unit_cost) as unit_cost,
        min(__row) as source_row,
        count(*)::integer as source_rows
    from keyed
    group by po_uid
),
previous as (
    select p.po_uid, arg_max(coalesce(p.qty_received, 0), p.month) as qty_received
    from purchase_orders as p
    semi join versions as v using (po_uid)
    where p.month < $month
    group by p.po_uid
)
select
    $load_id as load_id,
    $month as month,
    v.* exclude (po_uid),
    v.qty_received - coalesce(p.qty_received, 0) as received_increment,
    po_receipt_on(v.received_date, $month) as received_on,
    v.po_uid
from versions as v
left join previous as p using (po_uid)
