-- inventory_stock_facts: $month's stock per product category over all locations (stock_states:
-- on hand at least 0 per SKU, value at the stock cost as of $month else the product master's).
-- grain: one row per category with stock rows in $month. parameters: $month.
-- inputs: stock_states (stock_on_hand, product_facts).
insert into inventory_stock_facts
select
    $month as report_month,
    category,
    sum(on_hand) as inventory_units,
    sum(stock_value) as known_value,
    count(*) filter (where on_hand > 0) as count_skus_on_hand,
    count(*) filter (where on_hand > 0 and unit_cost is null) as count_skus_unknown_cost,
from stock_states([$month], null::varchar[], null::varchar[], null::varchar[])
group by category
