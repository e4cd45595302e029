import { describe, expect, it } from 'vitest';
import { planFleet } from './plan.js';

describe('planFleet', () => {
  it('plans the 50-million-connection fleet of document 000', () => {
    const plan = planFleet({
      name: 'whatsapp-agent-backend',
      workload: {
        concurrentConnections: 50e6,
        dailyActiveUsers: 500e6,
        messagesPerUserPerDay: [10, 20],
        peakFactor: 3,
      },
      components: { gateway: { capacityPerUnit: 10_000, demandUnit: 'connections' } },
    });
    // 500M × 15 / 86,400 × 3 ≈ 260,417 msg/s; 50M / 10,000 = 5,000 gateway instances (document: 5,000).
    expect(plan.fullScale.peakMessagesPerSecond).toBe(260_417);
    expect(plan.server.instances).toBe(5000);
    expect(plan.slice).toMatchObject({ count: 5000, connections: 10_000 });
    // Connections dominate: 50M / 19,000 per worker = 2,632 workers; memory: 50M × 24 KiB / (64 GiB × 0.8) = 23 hosts;
    // cores: 2,632 / 15 = 176 hosts.
    expect(plan.generator.workers).toBe(2632);
    expect(plan.generator.hosts).toBe(176);
    expect(plan.generator.connectionsPerHost * plan.generator.hosts).toBeGreaterThanOrEqual(50e6);
    expect(plan.generator.sourceAddressesPerHost).toBe(Math.ceil(plan.generator.connectionsPerHost / 28_000));
  });

  it('prefers load.fullScale and lets the message rate dominate when it is the bottleneck', () => {
    const plan = planFleet(
      {
        name: 'x',
        load: {
          fullScale: { connections: 10_000, messagesPerSecond: 1_000_000, connectionsPerInstance: 5000 },
        },
      },
      { messagesPerCore: 10_000, targetUtilization: 0.5 },
    );
    expect(plan.server.instances).toBe(2);
    expect(plan.generator.workers).toBe(200); // 1M × (2+1)/3 / (10k × 0.5)
  });
});
