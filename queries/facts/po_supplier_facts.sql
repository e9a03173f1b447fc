-- po_supplier_facts: for $month when it has a PO upload, per PO supplier (the file's; null when
-- blank) and SKU, over the 12 months ending at $month (dates after E(M-12), on or before E(M)),
-- as reported at $month (versions <= $month):
-- - receipts: receipt events (positive received increments) dated in the window of lines with
--   an order date and qty_ordered > 0; units, units x lead days (po_lead_days) and the lead-time
--   distribution (days, units);
-- - due: PO lines whose expected date (latest version) falls in the window; received in full by
--   it (po_open_units of the receipts dated <= expected date is 0) = on time in full; ordered
--   units and units received by the expected date (at most the ordered);
-- - stated: PO lines ordered in the window with an expected date: expected_date - order_date;
-- - count_versions: PO line versions in the uploads of the window's months (who supplies a SKU).
-- grain: supplier x SKU. parameters: $month, $year_month (the window's first month),
-- $year_start (its first day), $as_of. inputs: purchase_orders, uploaded_months.
insert into po_supplier_facts
with
has_upload as (
    select 1 from uploaded_months where dataset = 'purchase_orders' and month = $month
),
receipt_days as (
    select supplier, sku, po_lead_days(received_on, order_date) as days, sum(received_increment) as units
    from purchase_orders
    where month <= $month and received_on >= $year_start and received_on <= $as_of
      and received_increment > 0 and qty_ordered > 0 and order_date is not null
      and exists (select 1 from has_upload)
    group by all
),
receipts as (
    select
        supplier,
        sku,
        sum(units) as received_units,
        sum(units * days) as lead_day_units,
        list({'days': days, 'units': units} order by days) as lead_times
    from receipt_days
    group by all
),
window_lines as materialized (
    -- materialized: joined to the versions, its 0.7M lines are the hash table probed by the
    -- 5.4M versions (a semi join built it from the versions: 1.1 s at 10M lines)
    select distinct po_uid
    from purchase_orders
    where month <= $month
      and ((expected_date >= $year_start and expected_date <= $as_of)
           or (order_date >= $year_start and order_date <= $as_of))
      and exists (select 1 from has_upload)
),
versions as (
    select p.po_uid, p.month, p.supplier, p.sku, p.order_date, p.expected_date, p.qty_ordered,
           p.received_increment, p.received_on
    from purchase_orders as p
    join window_lines using (po_uid)
    where p.month <= $month
),
per_line as (
    -- per line in one aggregation: its latest version's attributes and its receipt events
    select
        po_uid,
        arg_max({'supplier': supplier, 'sku': sku, 'order_date': order_date,
                 'expected_date': expected_date, 'qty_ordered': qty_ordered}, month) as l,
        list({'received_on': received_on, 'units': received_increment})
            filter (where received_increment <> 0) as receipts
    from versions
    group by po_uid
),
lines as (
    select
        l.supplier,
        l.sku,
        l.order_date,
        l.expected_date,
        l.qty_ordered,
        coalesce(list_sum(list_transform(list_filter(receipts, lambda r: r.received_on <= l.expected_date),
                                         lambda r: r.units)), 0) as received_by_expected
    from per_line
    where l.qty_ordered > 0
),
due as (
    select
        supplier,
        sku,
        count(*) as count_lines_due,
        count(*) filter (where po_open_units(qty_ordered, received_by_expected) = 0) as count_lines_otif,
        sum(qty_ordered) as units_due,
        sum(qty_ordered - po_open_units(qty_ordered, received_by_expected)) as units_on_time
    from lines
    where expected_date >= $year_start and expected_date <= $as_of
    group by all
),
stated as (
    select supplier, sku, count(*) as count_lines_stated,
           sum(date_diff('day', order_date, expected_date)) as stated_days
    from lines
    where order_date >= $year_start and order_date <= $as_of and expected_date is not null
    group by all
),
reported as (
    select supplier, sku, count(*) as count_versions
    from purchase_orders
    where month >= $year_month and month <= $month and qty_ordered > 0
      and exists (select 1 from has_upload)
    group by all
),
keys as (
    select supplier, sku from receipts
    union select supplier, sku from due
    union select supplier, sku from stated
    union select supplier, sku from reported
)
select
    $month as report_month,
    k.supplier,
    k.sku,
    coalesce(r.received_units, 0) as received_units,
    coalesce(r.lead_day_units, 0) as lead_day_units,
    r.lead_times,
    coalesce(d.count_lines_due, 0) as count_lines_due,
    coalesce(d.count_lines_otif, 0) as count_lines_otif,
    coalesce(d.units_due, 0) as units_due,
    coalesce(d.units_on_time, 0) as units_on_time,
    coalesce(s.count_lines_stated, 0) as count_lines_stated,
    coalesce(s.stated_days, 0) as stated_days,
    coalesce(v.count_versions, 0) as count_versions
from keys as k
left join receipts as r on r.supplier is not distinct from k.supplier and r.sku = k.sku
left join due as d on d.supplier is not distinct from k.supplier and d.sku = k.sku
left join stated as s on s.supplier is not distinct from k.supplier and s.sku = k.sku
left join reported as v on v.supplier is not distinct from k.supplier and v.sku = k.sku
