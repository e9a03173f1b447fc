-- backorder_coverage_by_sku: for M's backordered SKUs (backorder_units(s) > 0, as
-- backorders_by_sku), what is on order (issue 10): open PO units at E(M), the next expected date
-- of an open line, late open lines (and a late flag), covered = min(backorder, on order),
-- uncovered = the rest (to be bought), and the cover date (po_coverage: the expected date at which
-- the cumulative open PO units by expected date reach the backorder; null when they do not).
-- Empty when M lacks its orders, stock or PO upload (unknown). Largest uncovered first.
-- grain: one row per backordered SKU. parameters: $month, $promise_days, $customers, $locations,
-- $categories, $suppliers. inputs: po_coverage, product_facts.
select
    c.sku,
    p.supplier,
    c.backorder_units,
    c.on_order_units,
    c.next_expected_date,
    c.count_late_lines,
    c.is_late,
    c.covered_units,
    c.uncovered_units,
    c.cover_date
from po_coverage([$month], $promise_days, $customers::varchar[], $locations::varchar[], $categories::varchar[], $suppliers::varchar[]) as c
left join product_facts as p on p.sku = c.sku
order by c.uncovered_units desc, c.backorder_units desc, c.sku
