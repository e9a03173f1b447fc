-- backorders_by_sku: backorder_units(s) = max(0, demand(s) - on_hand(s, M)) at t = E(M) as
-- reported at M, for SKUs with backorder units > 0, largest first; with open demand, on hand,
-- customers, lines and orders affected, days of supply, supplier, lead time and category, and next
-- to each what is on order at E(M) (po_coverage, issue 10): open PO units, the next expected date
-- of an open line, late open lines and a late flag, covered = min(backorder, on order), uncovered =
-- the rest, and the cover date. The PO columns are null when M has no PO upload (on order
-- unknown); a SKU without an open PO line has 0 on order. Empty when M lacks its orders or its
-- stock upload (unknown, not 0). The Backorders page's list, Pareto and caption.
-- grain: one row per SKU. parameters: $month, $promise_days, $excess_months, $customers,
-- $locations, $categories, $suppliers. inputs: sku_backorders, line_states, sku_stock, po_coverage,
-- product_facts.
with
backorders as (
    select * from sku_backorders([$month], $promise_days, $customers::varchar[], $locations::varchar[], $categories::varchar[], $suppliers::varchar[])
    where backorder_units > 0
),
affected as (
    select sku, count(distinct customer) as count_customers, count(distinct order_id) as count_orders
    from line_states([$month], $promise_days, $customers::varchar[], $locations::varchar[], $categories::varchar[], $suppliers::varchar[])
    where open_qty > 0 and sku in (select sku from backorders)
    group by sku
),
stock_now as (
    select sku, days_of_supply from sku_stock([$month], $excess_months, $locations::varchar[], $categories::varchar[], $suppliers::varchar[])
),
coverage as (
    -- every backordered SKU when M has its PO upload, no rows without it
    select sku, on_order_units, next_expected_date, count_late_lines, is_late, covered_units, uncovered_units, cover_date
    from po_coverage([$month], $promise_days, $customers::varchar[], $locations::varchar[], $categories::varchar[], $suppliers::varchar[])
),
final as (
    select
        b.sku,
        p.description,
        p.category,
        p.supplier,
        p.lead_time_days,
        b.backorder_units,
        b.open_demand,
        b.on_hand,
        c.on_order_units,
        c.next_expected_date,
        c.is_late,
        c.count_late_lines,
        c.covered_units,
        c.uncovered_units,
        c.cover_date,
        s.days_of_supply,
        a.count_customers,
        b.count_lines,
        a.count_orders,
        b.oldest_order_date
    from backorders as b
    left join affected as a using (sku)
    left join stock_now as s using (sku)
    left join coverage as c using (sku)
    left join product_facts as p using (sku)
)
select * from final order by backorder_units desc, sku
