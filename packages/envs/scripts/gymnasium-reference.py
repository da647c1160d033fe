"""Prints the reference trajectories of src/test-utils/gymnasiumReference.ts, computed by Gymnasium itself.

Usage: pip install gymnasium numpy && python3 scripts/gymnasium-reference.py > reference.json

Each trajectory starts from a state set by hand (a float64 array, as after a reset) and applies actions that
JavaScript computes exactly alike, once as float64 arrays and once as float32 arrays (NumPy 2 rounds differently):
- Pendulum-v1: a_t = ((t * 7919) % 801 - 400) / 100, open loop, often beyond the torque bound;
- MountainCarContinuous-v0: a_t = ±(0.5 + ((t * 7919) % 101) / 100) with the sign of the observed velocity (energy
  pumping, so the car reaches the goal; magnitudes inside and beyond 1 exercise the clipped and unclipped paths).
It records every 10th observation and reward, the steps that terminated, and the float64 sum of all rewards.
"""
import json

import gymnasium
import numpy as np
from gymnasium.envs.classic_control.continuous_mountain_car import Continuous_MountainCarEnv
from gymnasium.envs.classic_control.pendulum import PendulumEnv


def pendulum_action(t, observation):
    return ((t * 7919) % 801 - 400) / 100


def mountain_car_action(t, observation):
    magnitude = 0.5 + ((t * 7919) % 101) / 100
    return magnitude if observation[1] >= 0 else -magnitude


def trajectory(env, state, steps, policy, dtype):
    env.reset(seed=0)
    env.state = np.array(state)
    observation = env.state
    record = {"start": state, "steps": steps, "observations": [], "rewards": [], "terminatedSteps": [], "returnSum": 0.0}
    for t in range(steps):
        action = np.array([policy(t, observation)], dtype=dtype)
        observation, reward, terminated, _, _ = env.step(action)
        record["returnSum"] += float(reward)
        if terminated:
            record["terminatedSteps"].append(t)
        if t % 10 == 9:
            record["observations"].append([float(x) for x in observation])
            record["rewards"].append(float(reward))
    return record


print(json.dumps({
    "gymnasium": gymnasium.__version__,
    "numpy": np.__version__,
    "pendulum": {
        "float64": trajectory(PendulumEnv(), [2.5, -0.7], 200, pendulum_action, np.float64),
        "float32": trajectory(PendulumEnv(), [2.5, -0.7], 200, pendulum_action, np.float32),
    },
    "mountainCar": {
        "float64": trajectory(Continuous_MountainCarEnv(), [-0.52, 0.0], 300, mountain_car_action, np.float64),
        "float32": trajectory(Continuous_MountainCarEnv(), [-0.52, 0.0], 300, mountain_car_action, np.float32),
    },
}))
