-- po_line_uids: give every stored PO line version its line key and po_uid (as
-- insert_purchase_orders does), for a store made before they existed; the rebuild of the facts
-- runs it first (facts/po_version_increments then computes the receipt events).
-- grain: updates po_lines rows. parameters: none. inputs: po_lines.
update po_lines
set line_key = po_line_key(line_id, sku),
    po_uid = po_line_uid(po_id, line_id, sku),
    source_rows = coalesce(source_rows, 1)
where po_uid is null
