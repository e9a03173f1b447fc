-- backorder_facts: $month's open demand per SKU (line_facts) against its on hand (stock_on_hand),
-- when $month has both an orders and a stock upload; both facts are built just before.
-- backorder_units: the backorder_units macro (00_formulas), as every backorder figure.
-- grain: one row per SKU with open lines. parameters: $month. inputs: line_facts, stock_on_hand,
-- uploaded_months.
insert into backorder_facts
with
demand as (
    select
        sku,
        sum(open_qty) as open_demand,
        count(*) as count_lines,
        min(order_date) as oldest_order_date
    from line_facts
    where report_month = $month and open_qty > 0
    group by sku
)
select
    $month as report_month,
    d.sku,
    d.open_demand,
    d.count_lines,
    d.oldest_order_date,
    coalesce(s.on_hand, 0) as on_hand,
    backorder_units(d.open_demand, s.on_hand) as backorder_units
from demand as d
left join stock_on_hand as s on s.report_month = $month and s.sku = d.sku
where has_backorder_uploads($month)
