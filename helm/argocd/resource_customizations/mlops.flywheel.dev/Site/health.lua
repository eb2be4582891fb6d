-- Argo CD health of a Flywheel Site (mlops.flywheel.dev/v1alpha1, cluster-scoped).
-- Reachable=False: Degraded. Ready=True: Healthy. A node pool without matching nodes (Ready=False,
-- NoMatchingNodes) still takes work that waits for nodes, as a pool scaled to zero by an autoscaler does: Suspended.
-- Uses only Lua's base library, so it runs from argocd-cm without resource.customizations.useOpenLibs.

local function find(conditions, kind)
  if conditions == nil then
    return nil
  end
  for _, condition in ipairs(conditions) do
    if condition.type == kind then
      return condition
    end
  end
  return nil
end

local function text(condition, fallback)
  if condition ~= nil and condition.message ~= nil and condition.message ~= "" then
    return condition.message
  end
  return fallback
end

local function health(status, message)
  return { status = status, message = message }
end

local status = obj.status
local generation = obj.metadata.generation
if status == nil or status.conditions == nil or #status.conditions == 0 then
  return health("Progressing", "Waiting for the Flywheel operator to probe the Site")
end

-- An unexpected error on this generation is written without advancing status.observedGeneration.
local ready = find(status.conditions, "Ready")
if ready ~= nil and ready.status == "False" and ready.reason == "ReconcileError"
    and (ready.observedGeneration == nil or generation == nil or ready.observedGeneration >= generation) then
  return health("Degraded", text(ready, "the Flywheel operator failed to reconcile this Site"))
end

local observed = status.observedGeneration
if generation ~= nil and (observed == nil or observed < generation) then
  local seen = "no generation"
  if observed ~= nil then
    seen = "generation " .. observed
  end
  return health("Progressing", "Waiting for the Flywheel operator to observe generation " .. generation .. " (status describes " .. seen .. ")")
end

local reachable = find(status.conditions, "Reachable")
if reachable ~= nil and reachable.status == "False" then
  return health("Degraded", text(reachable, "the Site does not answer"))
end

if ready ~= nil and ready.status == "True" then
  return health("Healthy", text(ready, "the Site is ready"))
end
if ready ~= nil and ready.status == "False" then
  if ready.reason == "NoMatchingNodes" then
    return health("Suspended", text(ready, "no node matches the Site's nodeSelector"))
  end
  return health("Degraded", text(ready, "the Site is not ready"))
end
return health("Progressing", text(ready, "Waiting for the Flywheel operator to probe the Site"))
