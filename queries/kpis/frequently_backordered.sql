-- frequently_backordered: SKUs with months_backordered(s) >= the threshold (default 3), where
-- months_backordered counts the months of the window (the 12 months ending at M by default)
-- with backorder_units(s) > 0 (only months with both an orders and a stock upload count), each
-- month as reported at that month. Ranked by months_backordered, then backorder_units(s) at M,
-- then sku. Empty when M lacks its stock or orders upload (unknown). With what a buyer needs
-- next to it: open demand, on hand, days of supply, supplier, lead time, category.
-- grain: one row per SKU. parameters: $month, $window, $frequent_months, $promise_days,
-- $excess_months, $customers, $locations, $categories, $suppliers.
-- inputs: sku_backorders, sku_stock, product_facts.
with
history as (
    select * from sku_backorders($window, $promise_days, $customers::varchar[], $locations::varchar[], $categories::varchar[], $suppliers::varchar[])
),
counts as (
    select sku, count(*) filter (where backorder_units > 0) as months_backordered
    from history
    group by sku
),
stock_now as (
    select sku, on_hand, days_of_supply from sku_stock([$month], $excess_months, $locations::varchar[], $categories::varchar[], $suppliers::varchar[])
),
final as (
    select
        c.sku,
        c.months_backordered,
        coalesce(h.backorder_units, 0) as backorder_units,
        coalesce(h.open_demand, 0) as open_demand,
        coalesce(s.on_hand, 0) as on_hand,
        s.days_of_supply,
        p.supplier,
        p.lead_time_days,
        p.category,
        p.description
    from counts as c
    left join history as h on h.sku = c.sku and h.report_month = $month
    left join stock_now as s on s.sku = c.sku
    left join product_facts as p on p.sku = c.sku
    where c.months_backordered >= $frequent_months
      and has_backorder_uploads($month)
)
select * from final
order by months_backordered desc, backorder_units desc, sku
