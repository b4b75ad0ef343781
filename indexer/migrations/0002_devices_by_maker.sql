-- getDevicesByMaker: a maker's devices by device key.
CREATE INDEX devices_maker ON devices (maker, device);
