-- sku_demand: the open demand of $month per SKU, from the month's line facts (built just before).
-- grain: one row per SKU with open lines. parameters: $month. inputs: line_facts.
insert into sku_demand
select
    $month as report_month,
    sku,
    sum(open_qty) as open_demand,
    count(*) as count_lines,
    min(order_date) as oldest_order_date,
from line_facts
where report_month = $month and open_qty > 0
group by sku
