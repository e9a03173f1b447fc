-- stock_costs: for $month, each SKU's unit cost from the stock files (kpi-book 1): the mean of
-- the unit_cost of the SKU's rows in $month that have one, weighted by max(0, qty_on_hand) (a
-- plain mean where those weights sum to 0); for a SKU without such rows, the cost carried from
-- $previous_month's facts (the most recent earlier month's). The product master's cost, the
-- last fallback, is applied when reading (stock_states, inventory_months), as the master can
-- change at any time.
-- grain: one row per SKU. parameters: $month, $previous_month. inputs: stock, stock_costs.
insert into stock_costs
with
this_month as (
    select
        sku,
        case
            when sum(greatest(qty_on_hand, 0)) > 0
                then sum(greatest(qty_on_hand, 0) * unit_cost) / sum(greatest(qty_on_hand, 0))
            else avg(unit_cost)
        end as unit_cost
    from stock
    where month = $month and unit_cost is not null
    group by sku
)
select $month as report_month, sku, unit_cost, $month as cost_month from this_month
union all
select $month, c.sku, c.unit_cost, c.cost_month
from stock_costs as c
where c.report_month = $previous_month
  and c.sku not in (select sku from this_month)
