-- stock_on_hand: on_hand(s, M) = max(0, sum of the SKU's qty_on_hand rows) over all locations of
-- $month's stock file (kpi-book 1), with the SKU's unit cost from the stock files as of $month
-- (stock_costs, built just before). The product master's cost is applied when reading.
-- grain: one row per SKU with stock rows in $month. parameters: $month. inputs: stock, stock_costs.
insert into stock_on_hand
select
    $month as report_month,
    s.sku,
    sum(s.qty_on_hand) as qty_on_hand_reported,
    on_hand_units(sum(s.qty_on_hand)) as on_hand,
    any_value(c.unit_cost) as stock_unit_cost
from stock as s
left join stock_costs as c on c.report_month = $month and c.sku = s.sku
where s.month = $month
group by s.sku
