-- restore_po_supplier_facts: put back $month's supplier figures per SKU from
-- shelved_po_supplier_facts (stocklens.facts: the undo of the load that replaced them, while it
-- is the latest change).
-- grain: supplier x SKU. parameters: $month. inputs: shelved_po_supplier_facts.
insert into po_supplier_facts
select * from shelved_po_supplier_facts
where report_month = $month
