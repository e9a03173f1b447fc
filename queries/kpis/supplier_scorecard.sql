-- supplier_scorecard: one row per supplier (a PO line's supplier column, else the product master's
-- supplier of its SKU; '(no supplier)' without either) over the 12 months ending at M, as reported
-- at M (po_supplier_facts; issue 10):
-- - lead time actual: receipt events dated in the window (lines with an order date), received_on
--   - order_date weighted by received units: mean, and 90th percentile = the smallest lead time
--   d such that the units received within d days are at least 90% of the units received
--   (weighted lower quantile);
-- - lead time stated: mean products.lead_time_days over the master's SKUs of the supplier, and
--   mean expected_date - order_date over its PO lines ordered in the window;
-- - OTIF (lines) = PO lines with expected date in the window received in full by it / those lines;
--   units due and units received by the expected date (at most ordered), and their share;
-- - late open lines at E(M) and their open units; backorder units at M of the SKUs the supplier
--   supplies (products.supplier; null without M's orders and stock uploads).
-- Empty when M has no PO upload. Category and supplier filters keep SKUs of the master's choice.
-- grain: one row per supplier. parameters: $month, $promise_days, $customers, $locations,
-- $categories, $suppliers. inputs: po_supplier_facts, po_open_lines, sku_backorders, product_facts,
-- uploaded_months.
with
facts as (
    select filter_value(coalesce(f.supplier, p.supplier), 'supplier') as supplier_name, f.*
    from po_supplier_facts as f
    left join product_facts as p on p.sku = f.sku
    where f.report_month = $month
      and filter_keeps($categories::varchar[], p.category, 'category')
      and filter_keeps($suppliers::varchar[], p.supplier, 'supplier')
),
totals as (
    select
        supplier_name,
        count(distinct sku) filter (where count_versions > 0) as count_skus_ordered,
        sum(received_units) as received_units,
        sum(lead_day_units) / nullif(sum(received_units), 0) as lead_time_actual_mean,
        sum(stated_days) / nullif(sum(count_lines_stated), 0) as lead_time_stated_po,
        sum(count_lines_due)::bigint as po_lines_due,
        sum(count_lines_otif)::bigint as po_lines_otif,
        sum(count_lines_otif) / nullif(sum(count_lines_due), 0) as otif_lines,
        sum(units_due) as units_due,
        sum(units_on_time) as units_on_time,
        sum(units_on_time) / nullif(sum(units_due), 0) as on_time_units_share
    from facts
    group by supplier_name
),
distribution as (
    select supplier_name, r.days, sum(r.units) as units
    from (select supplier_name, unnest(lead_times) as r from facts)
    group by supplier_name, r.days
),
cumulative as (
    select
        supplier_name,
        days,
        sum(units) over (partition by supplier_name order by days) as cumulative_units,
        sum(units) over (partition by supplier_name) as total_units
    from distribution
),
p90 as (
    select supplier_name, min(days) filter (where cumulative_units >= 0.9 * total_units - 1e-9) as lead_time_actual_p90
    from cumulative
    group by supplier_name
),
late as (
    select
        filter_value(po_supplier, 'supplier') as supplier_name,
        count(*) filter (where is_late) as late_open_lines,
        coalesce(sum(open_qty) filter (where is_late), 0) as late_open_units,
        sum(open_qty) as on_order_units
    from po_open_lines([$month], $categories::varchar[], $suppliers::varchar[])
    group by all
),
master as (
    select filter_value(supplier, 'supplier') as supplier_name, avg(lead_time_days) as lead_time_stated_master
    from product_facts
    where filter_keeps($categories::varchar[], category, 'category')
      and filter_keeps($suppliers::varchar[], supplier, 'supplier')
    group by all
),
backorders as (
    select filter_value(p.supplier, 'supplier') as supplier_name, sum(b.backorder_units) as backorder_units
    from sku_backorders([$month], $promise_days, $customers::varchar[], $locations::varchar[], $categories::varchar[], $suppliers::varchar[]) as b
    left join product_facts as p on p.sku = b.sku
    group by all
),
names as (
    select supplier_name from totals
    union
    select supplier_name from late
)
select
    n.supplier_name as supplier,
    t.count_skus_ordered,
    coalesce(t.received_units, 0) as received_units,
    t.lead_time_actual_mean,
    q.lead_time_actual_p90,
    m.lead_time_stated_master,
    t.lead_time_stated_po,
    coalesce(t.po_lines_due, 0) as po_lines_due,
    coalesce(t.po_lines_otif, 0) as po_lines_otif,
    t.otif_lines,
    coalesce(t.units_due, 0) as units_due,
    coalesce(t.units_on_time, 0) as units_on_time,
    t.on_time_units_share,
    coalesce(l.on_order_units, 0) as on_order_units,
    coalesce(l.late_open_lines, 0) as late_open_lines,
    coalesce(l.late_open_units, 0) as late_open_units,
    case when has_backorder_uploads($month) then coalesce(b.backorder_units, 0) end as backorder_units
from names as n
left join totals as t using (supplier_name)
left join p90 as q using (supplier_name)
left join late as l using (supplier_name)
left join master as m using (supplier_name)
left join backorders as b using (supplier_name)
order by n.supplier_name
