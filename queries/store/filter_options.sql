-- filter_options: the values each global filter can take, from the data loaded.
-- grain: kind (category | supplier | location | customer) x value. parameters: none.
-- inputs: product_facts, orders, stock.
select distinct 'category' as kind, category as value from product_facts where category is not null
union all
select distinct 'supplier', supplier from product_facts where supplier is not null
union all
select distinct 'location', location from (
    select location from orders union select location from stock
) where location is not null
union all
select distinct 'customer', customer from orders where customer is not null
order by kind, value
