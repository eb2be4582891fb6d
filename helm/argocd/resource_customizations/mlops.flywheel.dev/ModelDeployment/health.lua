-- Argo CD health of a Flywheel ModelDeployment (mlops.flywheel.dev/v1alpha1).
-- Degraded=True (a canary rolled back or failed its analysis): Degraded. spec.replicas 0: Suspended.
-- Ready=False because nothing may be served (VersionNotFound, VersionNotValidated, NoVersionInStage,
-- NoEligibleSite, GatewayAPIMissing, ReconcileError, any reason not listed below): Degraded.
-- Progressing=True (canary step or rolling update): Progressing. Ready=True: Healthy.
-- Ready=False with reason Progressing or PodsNotReady: Progressing.
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

-- Ready=False reasons that pass by themselves; every other reason needs a change somewhere.
local passing = { Progressing = true, PodsNotReady = true }

local status = obj.status
local generation = obj.metadata.generation
if status == nil or status.conditions == nil or #status.conditions == 0 then
  return health("Progressing", "Waiting for the Flywheel operator to report status")
end

-- An unexpected error on this generation is written without advancing status.observedGeneration.
local ready = find(status.conditions, "Ready")
if ready ~= nil and ready.status == "False" and ready.reason == "ReconcileError"
    and (ready.observedGeneration == nil or generation == nil or ready.observedGeneration >= generation) then
  return health("Degraded", text(ready, "the Flywheel operator failed to reconcile this ModelDeployment"))
end

local observed = status.observedGeneration
if generation ~= nil and (observed == nil or observed < generation) then
  local seen = "no generation"
  if observed ~= nil then
    seen = "generation " .. observed
  end
  return health("Progressing", "Waiting for the Flywheel operator to observe generation " .. generation .. " (status describes " .. seen .. ")")
end

local degraded = find(status.conditions, "Degraded")
if degraded ~= nil and degraded.status == "True" then
  return health("Degraded", text(degraded, "the rollout failed"))
end

if obj.spec ~= nil and obj.spec.replicas == 0 then
  return health("Suspended", "Scaled to zero: spec.replicas is 0")
end

if ready ~= nil and ready.status == "False" and not passing[ready.reason or ""] then
  return health("Degraded", text(ready, "nothing can be served"))
end

local progressing = find(status.conditions, "Progressing")
if progressing ~= nil and progressing.status == "True" then
  local message = text(progressing, "rolling out")
  local metrics = find(status.conditions, "MetricsAvailable")
  if metrics ~= nil and metrics.status == "False" then
    message = message .. "; " .. text(metrics, "metrics are unavailable")
  end
  return health("Progressing", message)
end

if ready ~= nil and ready.status == "True" then
  return health("Healthy", text(ready, "serving"))
end
return health("Progressing", text(ready, "Waiting for the model servers to become ready"))
