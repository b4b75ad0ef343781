import { describe, expect, it } from 'vitest';
import {
  MQTT_TOPIC_ROOT,
  networkReadingsFilter,
  readingsTopic,
  readingsTopicDevice,
} from '../../src/pipeline.ts';

describe('MQTT topics (one definition for the bridge, the simulator, the ACL and the tests)', () => {
  const network = 'ab'.repeat(32);
  const device = 'cd'.repeat(32);

  it('builds a device topic and the network filter, and reads the device back', () => {
    const topic = readingsTopic(network, device);
    expect(topic).toBe(`zkpin/v1/${network}/devices/${device}/readings`);
    expect(topic.startsWith(`${MQTT_TOPIC_ROOT}/`)).toBe(true);
    expect(networkReadingsFilter(network)).toBe(`zkpin/v1/${network}/devices/+/readings`);
    expect(readingsTopicDevice(topic)).toBe(device);
  });

  it('refuses topics that are not a readings topic', () => {
    for (const t of [
      `zkpin/v2/${network}/devices/${device}/readings`,
      `zkpin/v1/${network}/device/${device}/readings`,
      `zkpin/v1/${network}/devices/${device}/status`,
      `zkpin/v1/${network}/devices/${device}/readings/extra`,
      `zkpin/v1/${network}/devices/readings`,
    ])
      expect(readingsTopicDevice(t), t).toBeUndefined();
  });
});
