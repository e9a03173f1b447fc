-- po_totals: for each month M of $months, as reported at M (issue 10, purchase orders):
-- on_order_units = sum over SKUs of on_order(s) (open PO units at E(M)); open_po_lines; late_po_lines
-- (open lines whose expected date is before E(M)) and their open units; supplier_otif_lines = PO
-- lines with expected date in the 12 months ending at M received in full by it / those lines, over
-- all suppliers (null when no line was due); backorder_covered_units = sum over backordered SKUs of
-- min(backorder_units(s), on_order(s)) and backorder_uncovered_units = the rest (po_coverage).
-- Null for a month without its PO upload; the coverage also without its orders or stock upload.
-- grain: one row per month. parameters: $months, $promise_days, $customers, $locations,
-- $categories, $suppliers. inputs: po_open_lines, po_supplier_facts, po_coverage, product_facts,
-- uploaded_months, report_months.
with
months as (
    select report_month from report_months($months)
),
uploads as (
    select
        m.report_month,
        has_upload('purchase_orders', m.report_month) as has_po,
        has_backorder_uploads(m.report_month) as has_backorders
    from months as m
),
open_lines as (
    select
        report_month,
        sum(open_qty) as on_order_units,
        count(*) as open_po_lines,
        count(*) filter (where is_late) as late_po_lines,
        coalesce(sum(open_qty) filter (where is_late), 0) as late_po_units
    from po_open_lines($months, $categories::varchar[], $suppliers::varchar[])
    group by report_month
),
otif as (
    select f.report_month, sum(f.count_lines_otif)::bigint as count_lines_otif, sum(f.count_lines_due)::bigint as count_lines_due
    from po_supplier_facts as f
    left join product_facts as p on p.sku = f.sku
    where list_contains($months, f.report_month)
      and filter_keeps($categories::varchar[], p.category, 'category')
      and filter_keeps($suppliers::varchar[], p.supplier, 'supplier')
    group by f.report_month
),
coverage as (
    select report_month, sum(covered_units) as covered_units, sum(uncovered_units) as uncovered_units
    from po_coverage($months, $promise_days, $customers::varchar[], $locations::varchar[], $categories::varchar[], $suppliers::varchar[])
    group by report_month
),
final as (
    select
        u.report_month,
        case when u.has_po then coalesce(o.on_order_units, 0) end as on_order_units,
        case when u.has_po then coalesce(o.open_po_lines, 0) end as open_po_lines,
        case when u.has_po then coalesce(o.late_po_lines, 0) end as late_po_lines,
        case when u.has_po then coalesce(o.late_po_units, 0) end as late_po_units,
        case when u.has_po then t.count_lines_due end as po_lines_due,
        case when u.has_po then t.count_lines_otif end as po_lines_otif,
        case when u.has_po then t.count_lines_otif / nullif(t.count_lines_due, 0) end as supplier_otif_lines,
        case when u.has_po and u.has_backorders then coalesce(c.covered_units, 0) end as backorder_covered_units,
        case when u.has_po and u.has_backorders then coalesce(c.uncovered_units, 0) end as backorder_uncovered_units
    from uploads as u
    left join open_lines as o using (report_month)
    left join otif as t using (report_month)
    left join coverage as c using (report_month)
)
select * from final order by report_month
