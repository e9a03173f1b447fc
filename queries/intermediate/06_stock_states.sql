-- stock_states(months, locations, categories, suppliers): on_hand(s, M) = max(0, sum of the
-- SKU's qty_on_hand rows in M) for each month M of `months` that has a stock upload, with
-- unit_cost(s, M) (kpi-book 1: the month's stock cost, else the most recent earlier month's, both
-- materialised in stock_costs; then products.unit_cost; else unknown = null). Without a location
-- filter it reads the per-SKU totals materialised at load time (stock_on_hand); with one, it sums
-- the chosen locations' rows.
-- grain: report_month x sku. inputs: stock_on_hand, stock, stock_costs, product_facts.
create or replace macro stock_states(months, locations, categories, suppliers) as table
with
months as (
    select * from report_months(months)
),
all_locations as (
    select m.report_month, m.as_of, f.sku, f.qty_on_hand_reported, f.on_hand, f.stock_unit_cost
    from months as m
    join stock_on_hand as f on f.report_month = m.report_month
    where locations is null
),
chosen_locations as (
    select
        m.report_month,
        any_value(m.as_of) as as_of,
        s.sku,
        sum(s.qty_on_hand) as qty_on_hand_reported,
        on_hand_units(sum(s.qty_on_hand)) as on_hand,
        any_value(c.unit_cost) as stock_unit_cost
    from months as m
    join stock as s on s.month = m.report_month
    left join stock_costs as c on c.report_month = m.report_month and c.sku = s.sku
    where locations is not null and filter_keeps(locations, s.location, 'location')
    group by m.report_month, s.sku
),
per_sku as (
    select * from all_locations
    union all
    select * from chosen_locations
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
    sku_unit_cost(s.stock_unit_cost, p.unit_cost) as unit_cost,
    s.on_hand * sku_unit_cost(s.stock_unit_cost, p.unit_cost) as stock_value
from per_sku as s
left join product_facts as p on p.sku = s.sku
where filter_keeps(categories, p.category, 'category')
  and filter_keeps(suppliers, p.supplier, 'supplier');
