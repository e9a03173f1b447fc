-- po_line_facts: each PO line as reported at $month (only uploads <= $month): the attributes of
-- its latest version, its receipt events dated <= E($month) and dated in the month, open_po at
-- t = E($month) (po_open_units: 0 before the line is open, po_open_from) and whether it is late
-- (po_is_late). Lines computed: those of $month's upload and those open (or not yet open) in
-- $previous_month's facts: a line missing from later uploads keeps its last reported state, as
-- an order line does. Of their earlier versions only the narrow receipt columns are read.
-- Kept: lines open at t, not yet open, or with receipts dated in the month; qty_ordered <= 0
-- (returns to the supplier, corrections) left out.
-- grain: one row per PO line. parameters: $month, $previous_month, $month_start, $previous_end,
-- $as_of. inputs: purchase_orders, po_line_facts.
insert into po_line_facts
with
uploaded as (
    select * from purchase_orders where month = $month
),
carried as (
    select *
    from po_line_facts
    where report_month = $previous_month and (open_qty > 0 or open_from > $previous_end)
),
line_keys as materialized (
    select po_uid from uploaded
    union
    select po_uid from carried
),
events as (
    select
        p.po_uid,
        min(p.month) as first_month,
        coalesce(sum(p.received_increment) filter (where p.received_on <= $as_of), 0) as received_to_date,
        coalesce(sum(p.received_increment) filter (where p.received_on >= $month_start and p.received_on <= $as_of), 0)
            as received_in_month
    from purchase_orders as p
    semi join line_keys using (po_uid)
    where p.month <= $month
    group by p.po_uid
),
latest as (
    select po_uid, po_id, line_key, sku, supplier, order_date, expected_date, qty_ordered,
           month as last_reported_month
    from uploaded
    union all
    select po_uid, po_id, line_key, sku, supplier, order_date, expected_date, qty_ordered, last_reported_month
    from carried
    anti join uploaded using (po_uid)
),
states as (
    select
        l.*,
        po_open_from(l.order_date, e.first_month) as open_from,
        e.received_to_date,
        e.received_in_month
    from latest as l
    join events as e using (po_uid)
    where l.qty_ordered > 0
),
final as (
    select
        *,
        case when open_from <= $as_of then po_open_units(qty_ordered, received_to_date) else 0 end as open_qty
    from states
)
select
    $month as report_month,
    po_uid,
    po_id,
    line_key,
    sku,
    supplier,
    order_date,
    open_from,
    expected_date,
    qty_ordered,
    received_to_date,
    received_in_month,
    open_qty,
    po_is_late(expected_date, open_qty, $as_of) as is_late,
    last_reported_month
from final
where open_qty > 0 or open_from > $as_of or received_in_month <> 0
