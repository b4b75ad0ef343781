-- Each device's newest record (the one with the highest seq): its seq, timestamp and slot,
-- kept on the device's row by the transaction that writes the record, so device answers
-- (getDevice, getDevicesByOwner, ...) carry the time of the last record without reading
-- `records`. Null while the device has no record. A record's timestamp is the reading's
-- (not monotonic across a device's records), so the newest is chosen by seq, never by time.
-- Existing devices are filled in from their records.
ALTER TABLE devices ADD COLUMN last_record_seq numeric(20, 0);
ALTER TABLE devices ADD COLUMN last_record_timestamp bigint;
ALTER TABLE devices ADD COLUMN last_record_slot bigint;
UPDATE devices SET last_record_seq = r.seq, last_record_timestamp = r.timestamp,
    last_record_slot = r.slot
  FROM (SELECT DISTINCT ON (device) device, seq, timestamp, slot FROM records
    ORDER BY device, seq DESC) r
  WHERE devices.device = r.device;
