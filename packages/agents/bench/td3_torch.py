"""The TD3 learner step of CleanRL's td3_continuous_action.py, timed on a fixed batch.

Run by td3.bench.ts in the same process tree as the TypeScript figures:
    python3 td3_torch.py --obs 17 --act 6 --batch 256 --seconds 4 --warmup-seconds 2 --warmup-updates 2000 --threads 1
Prints one JSON object. The update is CleanRL's code (networks, target smoothing, clipped double Q, the sum of the
two critic losses under one Adam, the actor and the Polyak update every 2nd step), with the replay sample replaced by
a fixed batch converted from numpy each step (as a replay buffer's sample does).
"""
import argparse
import glob
import json
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim


class QNetwork(nn.Module):
    def __init__(self, obs, act):
        super().__init__()
        self.fc1 = nn.Linear(obs + act, 256)
        self.fc2 = nn.Linear(256, 256)
        self.fc3 = nn.Linear(256, 1)

    def forward(self, x, a):
        x = torch.cat([x, a], 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


class Actor(nn.Module):
    def __init__(self, obs, act, low, high):
        super().__init__()
        self.fc1 = nn.Linear(obs, 256)
        self.fc2 = nn.Linear(256, 256)
        self.fc_mu = nn.Linear(256, act)
        self.register_buffer("action_scale", torch.tensor((high - low) / 2.0, dtype=torch.float32))
        self.register_buffer("action_bias", torch.tensor((high + low) / 2.0, dtype=torch.float32))

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = torch.tanh(self.fc_mu(x))
        return x * self.action_scale + self.action_bias


def make_td3(obs, act, low, high, gamma=0.99, tau=0.005, policy_noise=0.2, noise_clip=0.5, policy_frequency=2, lr=3e-4):
    """CleanRL's TD3 networks, optimisers and update step; returns (actor, update). `update(global_step, observations,
    next_observations, actions, rewards, dones)` takes float32 tensors (rewards and dones as [n, 1]) and returns the
    critic loss tensor."""
    actor = Actor(obs, act, low, high)
    qf1, qf2 = QNetwork(obs, act), QNetwork(obs, act)
    qf1_target, qf2_target = QNetwork(obs, act), QNetwork(obs, act)
    target_actor = Actor(obs, act, low, high)
    target_actor.load_state_dict(actor.state_dict())
    qf1_target.load_state_dict(qf1.state_dict())
    qf2_target.load_state_dict(qf2.state_dict())
    q_optimizer = optim.Adam(list(qf1.parameters()) + list(qf2.parameters()), lr=lr)
    actor_optimizer = optim.Adam(list(actor.parameters()), lr=lr)
    low_t, high_t = torch.from_numpy(low), torch.from_numpy(high)

    def update(global_step, observations, next_observations, actions, rewards, dones):
        with torch.no_grad():
            clipped_noise = (torch.randn_like(actions, device="cpu") * policy_noise).clamp(
                -noise_clip, noise_clip
            ) * target_actor.action_scale
            next_state_actions = (target_actor(next_observations) + clipped_noise).clamp(low_t, high_t)
            qf1_next_target = qf1_target(next_observations, next_state_actions)
            qf2_next_target = qf2_target(next_observations, next_state_actions)
            min_qf_next_target = torch.min(qf1_next_target, qf2_next_target)
            next_q_value = rewards.flatten() + (1 - dones.flatten()) * gamma * (min_qf_next_target).view(-1)
        qf1_a_values = qf1(observations, actions).view(-1)
        qf2_a_values = qf2(observations, actions).view(-1)
        qf1_loss = F.mse_loss(qf1_a_values, next_q_value)
        qf2_loss = F.mse_loss(qf2_a_values, next_q_value)
        qf_loss = qf1_loss + qf2_loss
        q_optimizer.zero_grad()
        qf_loss.backward()
        q_optimizer.step()
        if global_step % policy_frequency == 0:
            actor_loss = -qf1(observations, actor(observations)).mean()
            actor_optimizer.zero_grad()
            actor_loss.backward()
            actor_optimizer.step()
            for param, target_param in zip(actor.parameters(), target_actor.parameters()):
                target_param.data.copy_(tau * param.data + (1 - tau) * target_param.data)
            for param, target_param in zip(qf1.parameters(), qf1_target.parameters()):
                target_param.data.copy_(tau * param.data + (1 - tau) * target_param.data)
            for param, target_param in zip(qf2.parameters(), qf2_target.parameters()):
                target_param.data.copy_(tau * param.data + (1 - tau) * target_param.data)
        return qf_loss

    return actor, update


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--obs", type=int, default=17)
    p.add_argument("--act", type=int, default=6)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--seconds", type=float, default=4.0)
    p.add_argument("--warmup-seconds", type=float, default=0.0, help="untimed updates first, at least this long")
    p.add_argument("--warmup-updates", type=int, default=0, help="and until this many, within --warmup-cap-seconds")
    p.add_argument("--warmup-cap-seconds", type=float, default=20.0)
    p.add_argument("--threads", type=int, default=0, help="0: torch's default")
    a = p.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    low, high = -np.ones(a.act, dtype=np.float32), np.ones(a.act, dtype=np.float32)
    _, td3_update = make_td3(a.obs, a.act, low, high)

    n = a.batch
    batch = {
        "observations": rng.uniform(-1, 1, (n, a.obs)).astype(np.float32),
        "next_observations": rng.uniform(-1, 1, (n, a.obs)).astype(np.float32),
        "actions": rng.uniform(-1, 1, (n, a.act)).astype(np.float32),
        "rewards": rng.normal(size=(n, 1)).astype(np.float32),
        "dones": np.zeros((n, 1), dtype=np.float32),
    }

    def update(global_step):
        tensors = [torch.as_tensor(batch[k]) for k in ("observations", "next_observations", "actions", "rewards", "dones")]
        return td3_update(global_step, *tensors).item()  # our learner reads its losses every step too

    warm = 0
    warm_start = time.perf_counter()
    def still_warming():  # stillWarming's rule (scripts/bench/reference.mjs) from 0 updates, at least 6 of them
        seconds = time.perf_counter() - warm_start
        return warm < 6 or seconds < a.warmup_seconds or (warm < a.warmup_updates and seconds < a.warmup_cap_seconds)

    while still_warming():
        warm += 1
        update(warm)
    steps = 0
    start = time.perf_counter()
    cpu_start = time.process_time()
    while time.perf_counter() - start < a.seconds or steps < 4:
        update(steps + 1)
        update(steps + 2)
        steps += 2
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    print(
        json.dumps(
            {
                "torch": torch.__version__,
                "threads": torch.get_num_threads(),
                "openblasThreads": os.environ.get("OPENBLAS_NUM_THREADS", "default"),
                "blas": sorted({os.path.realpath(p) for p in glob.glob("/usr/lib/*/libblas.so.3")}),
                "threadpools": threadpools(),
                "warmupUpdates": warm,
                "steps": steps,
                "seconds": round(seconds, 3),
                "updatesPerSecond": round(steps / seconds, 2),
                "updatesPerCpuSecond": round(steps / cpu_seconds, 2),
            }
        )
    )


def threadpools():
    """The BLAS and OpenMP pools this process uses, and OpenBLAS' kernel family (e.g. Haswell, SkylakeX)."""
    try:
        import threadpoolctl
    except ImportError:
        return "threadpoolctl not installed (Debian: python3-threadpoolctl)"
    keys = ("internal_api", "version", "architecture", "num_threads")
    return [{k: info.get(k) for k in keys} for info in threadpoolctl.threadpool_info()]


if __name__ == "__main__":
    main()
