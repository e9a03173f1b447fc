-- stock_states(months, locations, categories, suppliers): on_hand(s, M) = max(0, sum of the
-- SKU's qty_on_hand rows in M) for each month M of `months` that has a stock upload, with
-- unit_cost(s, M) (kpi-book 1: the month's stock cost, else the most recent earlier month's, both
-- materialised in stock_costs; then products.unit_cost; else unknown = null).
-- grain: report_month x sku. inputs: stock, stock_costs, products.
create or replace macro stock_states(months, locations, categories, suppliers) as table
with
rows_in_month as (
    select m.report_month, m.as_of, s.*
    from report_months(months) as m
    join stock as s on s.month = m.report_month
    where locations is null or list_contains(locations, s.location)
),
per_sku as (
    select
        report_month,
        any_value(as_of) as as_of,
        sku,
        sum(qty_on_hand) as qty_on_hand_reported,
        greatest(0, sum(qty_on_hand)) as on_hand,
    from rows_in_month
    group by report_month, sku
)
select
    s.report_month,
    s.as_of,
    s.sku,
    p.category,
    p.supplier,
    p.description,
    p.lead_time_days,
    s.qty_on_hand_reported,
    s.on_hand,
    coalesce(c.unit_cost, p.unit_cost) as unit_cost,
    s.on_hand * coalesce(c.unit_cost, p.unit_cost) as stock_value,
from per_sku as s
left join stock_costs as c on c.report_month = s.report_month and c.sku = s.sku
left join products as p on p.sku = s.sku
where (categories is null or list_contains(categories, p.category))
  and (suppliers is null or list_contains(suppliers, p.supplier));
