-- supplier_single_source: single-source risk at M (issue 10): the SKUs backordered at M
-- (backorder_units(s) > 0) whose PO lines of the 12 months ending at M (po_supplier_facts: lines
-- received, due, ordered or reported in the window) name exactly one supplier (the PO line's, else
-- the product master's). SKUs without any PO line in the window are not listed (no supplier to
-- diversify from: they show as uncovered in the coverage). Largest backorder first. Empty when M
-- lacks its orders, stock or PO upload.
-- grain: one row per SKU. parameters: $month, $promise_days, $customers, $locations, $categories,
-- $suppliers. inputs: po_supplier_facts, sku_backorders, po_coverage, product_facts.
with
suppliers as (
    select
        f.sku,
        count(distinct filter_value(coalesce(f.supplier, p.supplier), 'supplier')) as count_suppliers,
        any_value(filter_value(coalesce(f.supplier, p.supplier), 'supplier')) as supplier,
        sum(f.count_versions)::bigint as po_line_versions
    from po_supplier_facts as f
    left join product_facts as p on p.sku = f.sku
    where f.report_month = $month
    group by f.sku
),
backorders as (
    select sku, backorder_units, on_order_units, uncovered_units, cover_date
    from po_coverage([$month], $promise_days, $customers::varchar[], $locations::varchar[], $categories::varchar[], $suppliers::varchar[])
)
select
    b.sku,
    p.description,
    p.category,
    s.supplier,
    b.backorder_units,
    b.on_order_units,
    b.uncovered_units,
    b.cover_date,
    s.po_line_versions
from backorders as b
join suppliers as s using (sku)
left join product_facts as p on p.sku = b.sku
where s.count_suppliers = 1
order by b.backorder_units desc, b.sku
