-- restore_sku_recent_demand: put back $month's 90-day demand per SKU from
-- shelved_sku_recent_demand (stocklens.facts: the undo of the load that replaced it, while it is
-- the latest change).
-- grain: one row per SKU. parameters: $month. inputs: shelved_sku_recent_demand.
insert into sku_recent_demand
select * from shelved_sku_recent_demand
where report_month = $month
