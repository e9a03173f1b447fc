-- inventory_stock_facts: $month's stock per product category over all locations (category_stock:
-- on hand at least 0 per SKU, value at the stock cost as of $month else the product master's).
-- grain: one row per category with stock rows in $month. parameters: $month.
-- inputs: category_stock (stock_states: stock_on_hand, product_facts).
insert into inventory_stock_facts by name
select * from category_stock([$month], null::varchar[], null::varchar[], null::varchar[])
