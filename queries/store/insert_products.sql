-- insert_products: store a prepared product master (`incoming`) as load $load_id.
-- grain: one row per product row. parameters: $load_id. inputs: incoming.
insert into product_rows
select $load_id, __row, sku, description, category, supplier, unit_cost, lead_time_days from incoming
