// Validates a call of the API contract and runs it on the engine. Shared by IPC and HTTP transports.
import { z } from 'zod';
import { apiArgs, type ApiErrorBody } from '../../shared/api';
import { DicomInputError } from './dicom/parseFile';
import { METHODS } from './explain/methods';
import { PacsError } from './pacs/pacsError';
import { Engine, EngineError } from './engine';

export type DispatchableMethod = Exclude<keyof typeof apiArgs, 'openDialog' | 'capabilities' | 'importModelDialog' | 'chooseExportFolder'>;

export function isDispatchable(method: string): method is DispatchableMethod {
  return (
    Object.hasOwn(apiArgs, method) && method !== 'openDialog' && method !== 'capabilities' && method !== 'importModelDialog' && method !== 'chooseExportFolder'
  );
}

/** `signal`: the caller went away (an HTTP client disconnected); the calls that run long stop their work. */
export async function dispatch(engine: Engine, method: DispatchableMethod, raw: unknown, signal?: AbortSignal): Promise<unknown> {
  switch (method) {
    case 'openDemo': return engine.openDemo(apiArgs.openDemo.parse(raw).kind);
    case 'listStudies': apiArgs.listStudies.parse(raw); return engine.listStudies();
    case 'loadVolume': return engine.loadVolume(apiArgs.loadVolume.parse(raw).seriesUid);
    case 'getVoxels': return engine.getVoxels(apiArgs.getVoxels.parse(raw).seriesUid);
    case 'getTags': {
      const a = apiArgs.getTags.parse(raw);
      return engine.getTags(a.seriesUid, a.index);
    }
    case 'getGroundTruth': return engine.getGroundTruth(apiArgs.getGroundTruth.parse(raw).seriesUid);
    case 'listModels': apiArgs.listModels.parse(raw); return engine.listModels();
    case 'runModel': {
      const a = apiArgs.runModel.parse(raw);
      return engine.runModel(a.seriesUid, a.modelId);
    }
    case 'startExplanation': {
      const a = apiArgs.startExplanation.parse(raw);
      // Own keys only: "constructor" or "toString" name Object.prototype members, not methods.
      if (!Object.hasOwn(METHODS, a.method))
        throw new z.ZodError([
          {
            code: 'custom',
            path: ['method'],
            message: `unknown explanation method "${a.method}" (available: ${Object.keys(METHODS).join(', ')})`,
            input: a.method,
          },
        ]);
      const job = await engine.startExplanation(a.seriesUid, a.modelId, a.method, a.options, a.cachedOnly);
      return job ? engine.jobStatus(job.id) : null;
    }
    case 'getJob': return engine.jobStatus(apiArgs.getJob.parse(raw).jobId);
    case 'listJobs': apiArgs.listJobs.parse(raw); return engine.listJobs();
    case 'cancelJob': return engine.cancelJob(apiArgs.cancelJob.parse(raw).jobId);
    case 'getExplanationMap': {
      const a = apiArgs.getExplanationMap.parse(raw);
      return engine.explanationMap(a.jobId, a.target, a.partial, a.layer);
    }
    case 'clearExplanations': apiArgs.clearExplanations.parse(raw); return engine.clearExplanations();
    case 'startSanityCheck': {
      const a = apiArgs.startSanityCheck.parse(raw);
      return engine.startSanityCheck(a.jobId, a.steps);
    }
    case 'getSanityCheck': return engine.sanityCheckStatus(apiArgs.getSanityCheck.parse(raw).sanityId);
    case 'getExplanationMetrics': {
      const a = apiArgs.getExplanationMetrics.parse(raw);
      return engine.explanationMetrics(a.jobId, a.maxSensitivity ? { maxSensitivity: a.maxSensitivity } : {}, signal);
    }
    case 'cancelExplanationMetrics': return engine.cancelExplanationMetrics(apiArgs.cancelExplanationMetrics.parse(raw).jobId);
    case 'listDerived': return engine.listDerived(apiArgs.listDerived.parse(raw).seriesUid);
    case 'getDerivedMap': {
      const a = apiArgs.getDerivedMap.parse(raw);
      return engine.derivedMap(a.seriesUid, a.objectUid, a.segment);
    }
    case 'exportReport': return engine.exportReport(apiArgs.exportReport.parse(raw));
    case 'pacsGetSettings': apiArgs.pacsGetSettings.parse(raw); return engine.pacs.getSettings();
    case 'pacsSaveSettings': return engine.pacs.saveSettings(apiArgs.pacsSaveSettings.parse(raw));
    case 'pacsSearch': return engine.pacs.search(apiArgs.pacsSearch.parse(raw));
    case 'pacsListSeries': return engine.pacs.listSeries(apiArgs.pacsListSeries.parse(raw).studyUid);
    case 'pacsRetrieve': return engine.pacs.retrieve(apiArgs.pacsRetrieve.parse(raw));
    case 'pacsTransfer': return engine.pacs.transfer(apiArgs.pacsTransfer.parse(raw).transferId);
    case 'pacsCancelTransfer': return engine.pacs.cancel(apiArgs.pacsCancelTransfer.parse(raw).transferId);
    case 'pacsSendExport': return engine.sendExport(apiArgs.pacsSendExport.parse(raw).exportId);
    case 'clusterSubmit': return engine.cluster.submit(apiArgs.clusterSubmit.parse(raw));
    case 'clusterRun': return engine.cluster.status(apiArgs.clusterRun.parse(raw).runId);
    case 'clusterStop': return engine.cluster.stop(apiArgs.clusterStop.parse(raw).runId);
    case 'getProviderSettings': apiArgs.getProviderSettings.parse(raw); return engine.getProviderSettings();
    case 'saveProviderSettings': return engine.saveProviderSettings(apiArgs.saveProviderSettings.parse(raw).provider);
    case 'getExportProgress': return engine.exportProgress(apiArgs.getExportProgress.parse(raw).seriesUid);
    case 'cancelExport': return engine.cancelExport(apiArgs.cancelExport.parse(raw).seriesUid);
    case 'getExportFile': {
      const a = apiArgs.getExportFile.parse(raw);
      return (await engine.exportFile(a.exportId, a.file)).data;
    }
    case 'openExportFile':
      apiArgs.openExportFile.parse(raw);
      throw new EngineError('unsupported', 'opening a file with the system viewer is done by the desktop app; the browser opens the PDF in a tab');
  }
}

/**
 * Maps any failure to what the user may see; internals never leak file contents or stacks.
 * `logFile`: where the transport recorded the failure (AppLog), named so the user can find it.
 */
export function toApiError(err: unknown, logFile?: string): ApiErrorBody {
  if (err instanceof z.ZodError) {
    return { code: 'bad-request', message: 'invalid request: ' + err.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('; ') };
  }
  if (err instanceof EngineError) return { code: err.code, message: err.message };
  if (err instanceof DicomInputError) return { code: 'bad-input', message: err.reason };
  if (err instanceof PacsError) return { code: 'bad-input', message: err.message };
  if (err instanceof RangeError && /memory/.test(err.message)) return { code: 'bad-input', message: err.message };
  return { code: 'internal', message: logFile ? `internal error (recorded without patient data in ${logFile})` : 'internal error' };
}
