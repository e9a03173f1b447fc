-- restore_line_facts: put back $month's line facts from shelved_line_events (stocklens.facts:
-- the undo of the load that replaced them, while it is the latest change). A line's attributes are
-- those of its version at last_reported_month, as the facts took them (uploaded in the month,
-- carried from the month before, or a late line's latest version): the data is again what the
-- facts were built on.
-- grain: one row per shelved line. parameters: $month. inputs: shelved_line_events, orders.
insert into line_facts
select
    s.report_month,
    o.order_id,
    o.line_key,
    o.sku,
    o.customer,
    o.location,
    o.order_date,
    o.promised_date,
    o.qty_ordered,
    o.qty_cancelled,
    o.unit_price,
    s.last_reported_month,
    s.open_qty,
    s.shipped_to_date,
    s.shipped_in_month,
    s.cancelled_in_month,
    s.closed_by_absence,
    s.ship_events,
    s.line_uid
from shelved_line_events as s
join orders as o on o.line_uid = s.line_uid and o.month = s.last_reported_month
where s.report_month = $month
