-- sku_costs(months): unit_cost(s, M) of kpi-book section 1: the on-hand-weighted mean of the
-- SKU's stock rows with a cost in M (plain mean where those weights sum to 0); else the most
-- recent earlier month's (both materialised in stock_costs at load time); then
-- products.unit_cost; else unknown (no row).
-- grain: report_month x sku. inputs: stock_costs, products.
create or replace macro sku_costs(months) as table
with
from_stock as (
    select report_month, sku, unit_cost, cost_month
    from stock_costs
    where list_contains(months, report_month)
),
product_cost as (
    select m.report_month, p.sku, p.unit_cost
    from report_months(months) as m
    cross join products as p
    where p.unit_cost is not null
)
select
    coalesce(s.report_month, p.report_month) as report_month,
    coalesce(s.sku, p.sku) as sku,
    coalesce(s.unit_cost, p.unit_cost) as unit_cost,
    case when s.unit_cost is not null then 'stock ' || s.cost_month else 'product master' end as cost_source,
from from_stock as s
full outer join product_cost as p on p.report_month = s.report_month and p.sku = s.sku;
