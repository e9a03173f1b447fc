-- drop: remove every fact table, before queries/facts/schema.sql recreates them for a rebuild.
-- parameters: none.
drop table if exists line_facts;
drop table if exists backorder_facts;
drop table if exists sku_location_flows;
drop table if exists sku_flows;
drop table if exists sku_month_demand;
drop table if exists sku_recent_demand;
drop table if exists stock_costs;
drop table if exists stock_on_hand;
drop table if exists stored_results;
drop table if exists shelved_results;
drop table if exists shelved_line_events;
drop table if exists shelved_sku_recent_demand;
drop table if exists shelved_po_supplier_facts;
drop table if exists product_facts;
drop table if exists inventory_stock_facts;
drop table if exists inventory_cogs_facts;
drop table if exists fact_progress;
drop table if exists po_line_facts;
drop table if exists po_supplier_facts;
