-- backorders_by_sku: backorder_units(s) = max(0, demand(s) - on_hand(s, M)) at t = E(M) as
-- reported at M, for SKUs with backorder units > 0, largest first; with open demand, on hand,
-- customers, lines and orders affected, days of supply, supplier, lead time and category.
-- Empty when M lacks its orders or its stock upload (unknown, not 0).
-- grain: one row per SKU. parameters: $month, $promise_days, $excess_months, $customers,
-- $locations, $categories, $suppliers. inputs: sku_backorders, line_states, sku_stock, product_facts.
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
        s.days_of_supply,
        a.count_customers,
        b.count_lines,
        a.count_orders,
        b.oldest_order_date,
    from backorders as b
    left join affected as a using (sku)
    left join stock_now as s using (sku)
    left join product_facts as p using (sku)
)
select * from final order by backorder_units desc, sku
