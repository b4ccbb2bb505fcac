"""The roles: perception, planner, worker pool and judge, joined by priority queues."""
