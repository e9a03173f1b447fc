-- sku_costs(months): unit_cost(s, M) of kpi-book section 1: the on-hand-weighted mean of the
-- SKU's stock rows with a cost in M (plain mean where those weights sum to 0); else the most
-- recent earlier month's; then products.unit_cost; else unknown (no row).
-- grain: report_month x sku. inputs: stock, products.
create or replace macro sku_costs(months) as table
with
month_costs as (
    select
        month,
        sku,
        case
            when sum(greatest(qty_on_hand, 0)) > 0
                then sum(greatest(qty_on_hand, 0) * unit_cost) / sum(greatest(qty_on_hand, 0))
            else avg(unit_cost)
        end as unit_cost,
    from stock
    where unit_cost is not null
    group by month, sku
),
latest_stock_cost as (
    select m.report_month, c.sku, c.unit_cost, c.month as cost_month
    from report_months(months) as m
    join month_costs as c on c.month <= m.report_month
    qualify row_number() over (partition by m.report_month, c.sku order by c.month desc) = 1
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
from latest_stock_cost as s
full outer join product_cost as p on p.report_month = s.report_month and p.sku = s.sku;
