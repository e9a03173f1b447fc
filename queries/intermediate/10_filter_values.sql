-- filter_values: the values each global filter can take, from the data loaded, with
-- '(no category)', '(no supplier)', '(no location)' and '(no customer)' (filter_value, 00_formulas)
-- when rows without one exist: choosing every value a filter lists then keeps every row, as no
-- filter does. Category and supplier come from the product master: without one, none is listed
-- (SKUs of orders and stock files missing from the master have '(no category)' and '(no supplier)').
-- grain: kind (category | supplier | location | customer) x value. inputs: product_facts, orders, stock.
create or replace view filter_values as
with
skus as (
    select sku from orders
    union
    select sku from stock
    union
    select sku from product_facts
),
sku_attributes as (
    select p.category, p.supplier
    from skus as s
    left join product_facts as p using (sku)
    where exists (select 1 from product_facts)
),
locations as (
    select location from orders
    union
    select location from stock
)
select distinct 'category' as kind, filter_value(category, 'category') as value from sku_attributes
union all
select distinct 'supplier', filter_value(supplier, 'supplier') from sku_attributes
union all
select distinct 'location', filter_value(location, 'location') from locations
union all
select distinct 'customer', filter_value(customer, 'customer') from orders;
