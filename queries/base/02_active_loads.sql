-- The active loads: what the facts and KPIs read, the rows of each dataset's active loads only
-- (store tables: queries/store/schema.sql). grain: a stored row. inputs: loads and the row tables.
create or replace view orders as
    select o.* from order_lines o join loads l using (load_id) where l.state = 'active';
create or replace view stock as
    select s.* from stock_rows s join loads l using (load_id) where l.state = 'active';
create or replace view products as
    select * exclude (rn) from (
        select p.*, row_number() over (partition by p.sku order by p.source_row desc) as rn
        from product_rows p join loads l using (load_id) where l.state = 'active'
    ) where rn = 1;
create or replace view purchase_orders as
    select p.* from po_lines p join loads l using (load_id) where l.state = 'active';
